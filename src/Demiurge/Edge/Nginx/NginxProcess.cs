using System.Diagnostics;

namespace Demiurge.Edge.Nginx;

/// <summary>Runs the nginx binary against the configured prefix and configuration file.</summary>
internal sealed class NginxProcess(EdgeOptions options)
{
    // Generous: at 100,000 organizations a configuration test alone takes over a minute.
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    /// <summary><c>nginx -t</c>: null when the configuration is valid, else what nginx said.</summary>
    public Task<string?> TestAsync(CancellationToken cancellationToken) => RunAsync(["-t", "-q"], cancellationToken);

    /// <summary><c>nginx -s reload</c>: null when the running master took the signal, else what nginx said.</summary>
    public Task<string?> ReloadAsync(CancellationToken cancellationToken) => RunAsync(["-s", "reload"], cancellationToken);

    private async Task<string?> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(options.NginxBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!string.IsNullOrEmpty(options.NginxPrefix))
        {
            start.ArgumentList.Add("-p");
            start.ArgumentList.Add(options.NginxPrefix);
        }

        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(options.NginxConfig);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            return $"cannot run '{options.NginxBinary}': {exception.Message}";
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                return $"'{options.NginxBinary} {string.Join(' ', arguments)}' did not finish within {s_timeout.TotalSeconds} s.";
            }

            var text = ((await error) + (await output)).Trim();
            return process.ExitCode == 0 ? null : text.Length > 0 ? text : $"nginx exited with code {process.ExitCode}.";
        }
    }
}
