using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Polly;

namespace Demiurge.Dns.PowerDns;

/// <summary>
/// Publishes record sets to PowerDNS Authoritative through its REST API: the zone is created on
/// first use (SOA, NS and the static records), then each change is one <c>PATCH</c> of rrsets
/// with REPLACE or DELETE, which PowerDNS applies atomically.
/// </summary>
internal sealed class PowerDnsProvider(IHttpClientFactory httpClients, IOptions<PlatformOptions> platform, IOptions<DnsOptions> options) : IDnsProvider
{
    /// <summary>The named HTTP client, with the API key, the timeout and retries.</summary>
    public const string HttpClientName = "powerdns";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private volatile bool _zoneExists;

    private string Zone => platform.Value.Domain.ToLowerInvariant() + ".";

    private string ZonesPath => $"api/v1/servers/{Uri.EscapeDataString(options.Value.PowerDnsServerId)}/zones";

    public Task SetRecordSetsAsync(IReadOnlyList<DnsRecordSet> sets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sets);
        foreach (var set in sets)
        {
            set.Validate(platform.Value.Domain);
        }

        return PatchAsync(sets, cancellationToken);
    }

    /// <summary>The zone's rrsets, SOA and NS included (none before the zone exists).</summary>
    public async Task<IReadOnlyList<DnsRecordSet>> ListRecordSetsAsync(CancellationToken cancellationToken)
    {
        // PowerDNS answers 404 alike for a zone not created yet and for an unknown server id, so
        // ask the zone list first: it is empty only for the former, and the latter stays an error.
        using (var zones = await SendAsync(HttpMethod.Get, $"{ZonesPath}?zone={Uri.EscapeDataString(Zone)}", null, [HttpStatusCode.OK], cancellationToken))
        {
            if ((await zones.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetArrayLength() == 0)
            {
                return [];
            }
        }

        using var response = await SendAsync(HttpMethod.Get, $"{ZonesPath}/{Zone}", null, [HttpStatusCode.OK], cancellationToken);
        var zone = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return [.. zone.GetProperty("rrsets").EnumerateArray().Select(r =>
        {
            var type = r.GetProperty("type").GetString()!;
            return new DnsRecordSet(r.GetProperty("name").GetString()!.TrimEnd('.'), type, r.GetProperty("ttl").GetInt32(),
                [.. r.GetProperty("records").EnumerateArray().Select(v => Value(type, v.GetProperty("content").GetString()!))]);
        })];
    }

    private async Task PatchAsync(IReadOnlyList<DnsRecordSet> changes, CancellationToken cancellationToken)
    {
        if (!_zoneExists)
        {
            await CreateZoneAsync(cancellationToken);
            _zoneExists = true;
        }

        var body = new { Rrsets = changes.Select(RrSet) };
        (await SendAsync(HttpMethod.Patch, $"{ZonesPath}/{Zone}", body, [HttpStatusCode.NoContent], cancellationToken)).Dispose();
    }

    // 409 Conflict means the zone is there already, from an earlier run or from the operator.
    private async Task CreateZoneAsync(CancellationToken cancellationToken)
    {
        var origin = platform.Value.Domain.ToLowerInvariant();
        var soa = string.Create(CultureInfo.InvariantCulture,
            $"{DnsZoneRecords.Nameserver(origin)}. {DnsZoneRecords.Hostmaster(origin)}. 1 3600 600 86400 {Server.DnsZone.NegativeTtl}");
        var body = new
        {
            Name = Zone,
            Kind = "Native",
            Nameservers = Array.Empty<string>(),
            Rrsets = DnsZoneRecords.Static(platform.Value.Domain, options.Value).Select(RrSet).Prepend(RrSet(new DnsRecordSet(origin, "SOA", DnsZoneRecords.Ttl, [soa]))),
        };
        (await SendAsync(HttpMethod.Post, ZonesPath, body, [HttpStatusCode.Created, HttpStatusCode.Conflict], cancellationToken)).Dispose();
    }

    /// <summary>Sends a request and returns the response, which the caller disposes, if its status is one of <paramref name="expected"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, HttpStatusCode[] expected, CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: s_json) };
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        // Rejections are the resilience pipeline giving up: out of time, or the circuit open after repeated failures.
        catch (Exception exception) when (exception is HttpRequestException or ExecutionRejectedException)
        {
            throw new PowerDnsException($"PowerDNS at {http.BaseAddress} did not answer {method} {path}: {exception.Message}", exception);
        }

        if (!expected.Contains(response.StatusCode))
        {
            using (response)
            {
                var detail = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new PowerDnsException($"PowerDNS refused {method} {path}: {(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
            }
        }

        return response;
    }

    private static object RrSet(DnsRecordSet set) => new
    {
        Name = set.Name + ".",
        set.Type,
        set.Ttl,
        Changetype = set.IsDeleted ? "DELETE" : "REPLACE",
        Records = set.Values.Select(v => new { Content = Content(set.Type, v), Disabled = false }),
    };

    // PowerDNS takes record content in zone-file form: names absolute, texts quoted; and gives it back so.
    private static string Content(string type, string value) => type switch
    {
        "CNAME" or "NS" => value.TrimEnd('.') + ".",
        "TXT" => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        _ => value,
    };

    private static string Value(string type, string content) => type switch
    {
        "CNAME" or "NS" => content.TrimEnd('.'),
        "TXT" when content.Length >= 2 && content[0] == '"' && content[^1] == '"' =>
            Regex.Replace(content[1..^1], @"\\(.)", "$1"),
        _ => content,
    };
}
