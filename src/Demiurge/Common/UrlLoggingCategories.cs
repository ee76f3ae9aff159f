namespace Demiurge.Common;

/// <summary>The log categories whose lines carry a request's whole URL, query included (see <see cref="ConsoleLogging"/>).</summary>
internal static class UrlLoggingCategories
{
    public const string Hosting = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public const string Forwarder = "Yarp.ReverseProxy.Forwarder";
}
