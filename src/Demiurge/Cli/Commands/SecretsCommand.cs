using System.CommandLine;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge secrets create|list|rm|key-ring|rotate-key</c>: an organization's secrets and the key ring that seals them.</summary>
internal static class SecretsCommand
{
    public static Command Create()
    {
        var organization = new Option<string>("--org") { Description = "Organization id", Required = true };
        var name = new Argument<string>("name") { Description = "The secret's name, e.g. DATABASE_URL" };
        var value = new Option<string?>("--value") { Description = "The secret's value, never shown again; read from standard input when omitted, which keeps it out of shell history" };
        var create = new Command("create", "Store a secret, encrypted (owners and admins).") { name, value, organization };
        create.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, $"/orgs/{Escape(r.GetValue(organization))}/secrets",
            new { name = r.GetValue(name), value = r.GetValue(value) ?? Console.In.ReadToEnd().TrimEnd('\r', '\n') }, ct));

        var list = new Command("list", "List the organization's secrets, without their values.") { organization };
        list.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, $"/orgs/{Escape(r.GetValue(organization))}/secrets", null, ct));

        var secretId = new Argument<string>("secret-id") { Description = "Secret id" };
        var remove = new Command("rm", "Delete a secret.") { secretId, organization };
        remove.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Delete, $"/orgs/{Escape(r.GetValue(organization))}/secrets/{Escape(r.GetValue(secretId))}", null, ct));

        var keyRing = new Command("key-ring", "The key ring's keys, how many secrets each seals, and whether a rotation runs (system admins).");
        keyRing.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Get, "/key-ring", null, ct));

        var rotate = new Command("rotate-key",
            "Start a data-key rotation: new secrets are sealed with a new key and every secret is resealed with it; " +
            "old keys still decrypt until 'secrets key-ring' shows rotating false (system admins).");
        rotate.SetAction((r, ct) => ApiClient.SendAsync(r, HttpMethod.Post, "/key-ring/rotate", null, ct));

        return new Command("secrets", "Manage an organization's secrets and the key ring.") { create, list, remove, keyRing, rotate }.WithClientOptions();
    }

    private static string Escape(string? value) => Uri.EscapeDataString(value ?? string.Empty);
}
