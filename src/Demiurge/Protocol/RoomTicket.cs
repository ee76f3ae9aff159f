using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Demiurge.Protocol;

/// <summary>
/// A short-lived pass into one project's room (docs/rooms.md): the control plane issues it to a
/// member (<c>POST /orgs/{organization_id}/projects/{project_id}/room-ticket</c>), signed with the
/// key ring's signing key, and the organization's gateway checks it against the public keys it was
/// started with, as it checks the control plane's calls. A browser cannot set headers on a
/// WebSocket, and a cookie valid on <c>org-*</c> names would also reach member-controlled
/// <c>uc-*</c> containers; a ticket names one organization, one project, one user and expires.
/// Both sides use this one definition.
/// </summary>
/// <remarks>
/// The text is <c>{key id}.{base64url payload}.{base64url signature}</c>; the payload is the
/// fields below, one per line, and the signature covers a purpose line before them, so that no
/// signature of a control-plane call (<see cref="ControlPlaneSignature"/>) is ever a ticket.
/// The ticket grants nothing by itself: the gateway still checks the user's membership and role
/// in the organization's live config.
/// </remarks>
internal static class RoomTicket
{
    /// <summary>How long a ticket is good for: enough to open the WebSocket, not to keep it.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    public const int MaxLength = 1024;

    private const string Purpose = "demiurge-room-ticket-v1";

    /// <summary>The ticket for <paramref name="claims"/>, signed by <paramref name="key"/>.</summary>
    public static string Issue(ECDsa key, string keyId, RoomTicketClaims claims)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(claims);
        var payload = Encoding.UTF8.GetBytes(Payload(claims));
        var signature = key.SignData(Signed(payload), HashAlgorithmName.SHA256);
        return $"{keyId}.{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>The claims of <paramref name="ticket"/> when one of <paramref name="keys"/> signed it and it has not expired at <paramref name="now"/>; else null.</summary>
    public static RoomTicketClaims? Verify(string? ticket, IReadOnlyDictionary<string, ECDsa> keys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (string.IsNullOrEmpty(ticket) || ticket.Length > MaxLength || ticket.Split('.') is not [var keyId, var payloadText, var signatureText]
            || !keys.TryGetValue(keyId, out var key) || !Base64Url.IsValid(payloadText) || !Base64Url.IsValid(signatureText))
        {
            return null;
        }

        var payload = Base64Url.DecodeFromChars(payloadText);
        bool valid;
        lock (key) // as ControlPlaneSignature: one key object serves every request
        {
            valid = key.VerifyData(Signed(payload), Base64Url.DecodeFromChars(signatureText), HashAlgorithmName.SHA256);
        }

        if (!valid || Encoding.UTF8.GetString(payload).Split('\n') is not [var organizationId, var projectId, var userId, var username, var expiresText]
            || !long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresMillis))
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeMilliseconds(expiresMillis);
        return now < expires ? new RoomTicketClaims(organizationId, projectId, userId, username, expires) : null;
    }

    private static string Payload(RoomTicketClaims claims)
    {
        var fields = new[] { claims.OrganizationId, claims.ProjectId, claims.UserId, claims.Username };
        if (fields.Any(f => f.Contains('\n', StringComparison.Ordinal)))
        {
            throw new ArgumentException("A room ticket's fields are single lines.", nameof(claims));
        }

        return string.Join('\n', fields) + "\n" + claims.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
    }

    private static byte[] Signed(ReadOnlySpan<byte> payload) => [.. Encoding.UTF8.GetBytes(Purpose + "\n"), .. payload];
}
