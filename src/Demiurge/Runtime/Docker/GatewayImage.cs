using System.Collections.Concurrent;
using System.Diagnostics;
using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Demiurge.Runtime.Docker;

/// <summary>
/// The gateway image, built locally <c>FROM scratch</c> through the Engine API, with no registry
/// and no base image to pull: this very demiurge (the folder it runs from), the .NET runtime it
/// runs on when it is not self-contained, the shared libraries they link (found with ldd), OpenSSL
/// (which .NET loads at run time) and an unprivileged user. The tag is the hash of all that content,
/// so the image is built again only when one of those files changes.
/// </summary>
internal static partial class GatewayImage
{
    /// <summary>Label holding the full content hash.</summary>
    public const string HashLabel = "demiurge.content-hash";

    public const string Entrypoint = "/app/demiurge";

    private const string DotnetRoot = "/usr/share/dotnet";

    private static readonly string s_dockerfile = $"""
        FROM scratch
        COPY rootfs/ /
        USER 10001:10001
        ENV DOTNET_ROOT={DotnetRoot} HOME=/tmp DOTNET_CLI_TELEMETRY_OPTOUT=1
        WORKDIR /app
        ENTRYPOINT ["{Entrypoint}"]

        """;

    private static readonly Dictionary<string, byte[]> s_generated = new()
    {
        ["Dockerfile"] = Encoding.UTF8.GetBytes(s_dockerfile),
        ["rootfs/etc/passwd"] = "root:x:0:0:root:/root:/sbin/nologin\ndemiurge:x:10001:10001:demiurge:/tmp:/sbin/nologin\n"u8.ToArray(),
        ["rootfs/etc/group"] = "root:x:0:\ndemiurge:x:10001:\n"u8.ToArray(),
    };

    // The files of a running process do not change, so they are listed and hashed once.
    private static readonly Lazy<(SortedDictionary<string, string> Files, string Hash)> s_content = new(() =>
    {
        var files = Files();
        return (files, Hash(files));
    });

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> s_builds = new();

    private static readonly string[] s_openSsl = ["libssl.so.3", "libcrypto.so.3"];

    /// <summary>The image's content hash, as its tag shows it: the build of the workers started from it.</summary>
    public static string ContentTag => s_content.Value.Hash[..16];

    /// <summary>The image's tag, <c>{repository}:{hash}</c>; builds it first when the engine does not have it.</summary>
    /// <exception cref="InvalidOperationException">The build failed.</exception>
    public static async Task<string> EnsureAsync(IDockerClient client, string repository, ILogger logger, CancellationToken cancellationToken)
    {
        var (files, hash) = s_content.Value;
        var tag = $"{repository}:{ContentTag}";
        if (await ExistsAsync(client, tag, cancellationToken))
        {
            return tag;
        }

        var build = s_builds.GetOrAdd(tag, _ => new SemaphoreSlim(1, 1));
        await build.WaitAsync(cancellationToken);
        try
        {
            if (!await ExistsAsync(client, tag, cancellationToken))
            {
                await BuildAsync(client, tag, hash, files, logger, cancellationToken);
            }
        }
        finally
        {
            build.Release();
        }

        return tag;
    }

    private static async Task<bool> ExistsAsync(IDockerClient client, string tag, CancellationToken cancellationToken)
    {
        try
        {
            _ = await client.Images.InspectImageAsync(tag, cancellationToken);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    private static async Task BuildAsync(IDockerClient client, string tag, string hash, SortedDictionary<string, string> files, ILogger logger, CancellationToken cancellationToken)
    {
        LogBuilding(logger, tag, files.Count);
        var started = Stopwatch.GetTimestamp();
        var context = Path.Combine(Path.GetTempPath(), $"demiurge-image-{Guid.NewGuid():N}.tar");
        try
        {
            await using (var stream = File.Create(context))
            {
                await WriteContextAsync(stream, files, cancellationToken);
            }

            var messages = new ConcurrentQueue<string>();
            await using (var stream = File.OpenRead(context))
            {
                var parameters = new ImageBuildParameters
                {
                    Tags = [tag],
                    Labels = new Dictionary<string, string> { [HashLabel] = hash },
                    Remove = true,
                    ForceRemove = true,
                    NetworkMode = "none",
                };
                await client.Images.BuildImageFromDockerfileAsync(parameters, stream, null, null,
                    new Progress<JSONMessage>(m => messages.Enqueue(m.Error?.Message ?? m.Stream ?? m.Status ?? "")), cancellationToken);
            }

            if (!await ExistsAsync(client, tag, cancellationToken))
            {
                throw new InvalidOperationException($"Building the gateway image {tag} failed: {string.Concat(messages.TakeLast(5)).Trim()}");
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            LogBuilt(logger, tag, elapsed);
            await RemoveOlderAsync(client, tag, cancellationToken);
        }
        catch (DockerApiException exception)
        {
            throw new InvalidOperationException($"Building the gateway image {tag} failed: {exception.Message}", exception);
        }
        finally
        {
            File.Delete(context);
        }
    }

    /// <summary>Earlier builds of the repository are removed, except those that containers still use.</summary>
    private static async Task RemoveOlderAsync(IDockerClient client, string tag, CancellationToken cancellationToken)
    {
        var images = await client.Images.ListImagesAsync(new ImagesListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [HashLabel] = true } },
        }, cancellationToken);
        var repository = tag[..tag.LastIndexOf(':')];
        foreach (var older in images.SelectMany(i => i.RepoTags ?? []).Where(t => t != tag && t.StartsWith(repository + ":", StringComparison.Ordinal)))
        {
            try
            {
                await client.Images.DeleteImageAsync(older, new ImageDeleteParameters(), cancellationToken);
            }
            catch (DockerApiException)
            {
                // In use by a container, or removed meanwhile: either way, not ours to force.
            }
        }
    }

    private static async Task WriteContextAsync(Stream stream, SortedDictionary<string, string> files, CancellationToken cancellationToken)
    {
        await using var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var (name, bytes) in s_generated)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
            {
                DataStream = new MemoryStream(bytes),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            };
            await tar.WriteEntryAsync(entry, cancellationToken);
        }

        foreach (var (path, source) in files)
        {
            await tar.WriteEntryAsync(source, "rootfs" + path, cancellationToken);
        }
    }

    /// <summary>Every file of the image's root, by path in the image, from its (symlink-free) path here.</summary>
    private static SortedDictionary<string, string> Files()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var app = AppContext.BaseDirectory;
        AddTree(files, app, "/app");
        // A framework-dependent demiurge brings the runtime it runs on: the host resolver and
        // the two shared frameworks, at their usual place under DOTNET_ROOT.
        if (!File.Exists(Path.Combine(app, "libcoreclr.so")))
        {
            var netCore = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory());
            var aspNetCore = new DirectoryInfo(Path.GetDirectoryName(typeof(WebApplication).Assembly.Location)!);
            var root = netCore.Parent!.Parent!.Parent!;
            AddTree(files, netCore.FullName, $"{DotnetRoot}/shared/{netCore.Parent.Name}/{netCore.Name}");
            AddTree(files, aspNetCore.FullName, $"{DotnetRoot}/shared/{aspNetCore.Parent!.Name}/{aspNetCore.Name}");
            AddTree(files, Path.Combine(root.FullName, "host", "fxr"), $"{DotnetRoot}/host/fxr");
        }

        var libraries = Ldd(files.Values.Where(f => f.EndsWith(".so", StringComparison.Ordinal)).Append(Path.Combine(app, "demiurge")));
        // OpenSSL is loaded with dlopen (hashes, random numbers), so ldd cannot see it.
        if (libraries.FirstOrDefault(l => Path.GetFileName(l) == "libc.so.6") is { } libc)
        {
            var openSsl = s_openSsl.Select(n => Path.Combine(Path.GetDirectoryName(libc)!, n)).Where(File.Exists).ToList();
            libraries.UnionWith(openSsl);
            libraries.UnionWith(Ldd(openSsl));
        }

        foreach (var library in libraries)
        {
            files[library] = Resolve(library);
        }

        return files;
    }

    private static void AddTree(SortedDictionary<string, string> files, string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            files[target + "/" + Path.GetRelativePath(source, file).Replace('\\', '/')] = Resolve(file);
        }
    }

    private static string Resolve(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    /// <summary>The shared libraries <paramref name="binaries"/> link, by the paths the loader finds them at.</summary>
    private static HashSet<string> Ldd(IEnumerable<string> binaries)
    {
        var start = new ProcessStartInfo("ldd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var binary in binaries)
        {
            start.ArgumentList.Add(binary);
        }

        if (start.ArgumentList.Count == 0)
        {
            return [];
        }

        System.Diagnostics.Process? started;
        try
        {
            started = System.Diagnostics.Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("Building the gateway image needs ldd (Debian package libc-bin) to find the shared libraries.", exception);
        }

        using var ldd = started ?? throw new InvalidOperationException("Could not run ldd.");
        // Non-ELF and foreign files only print a complaint to stderr, which is drained and ignored.
        var errors = ldd.StandardError.ReadToEndAsync();
        var output = ldd.StandardOutput.ReadToEnd();
        ldd.WaitForExit();
        _ = errors.Result;
        return [.. LibraryPath().Matches(output).Select(m => m.Groups[1].Value)];
    }

    private static string Hash(SortedDictionary<string, string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, bytes) in s_generated)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name + "\0"));
            hash.AppendData(bytes);
        }

        var buffer = new byte[1 << 20];
        foreach (var (path, source) in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(path + "\0"));
            using var stream = File.OpenRead(source);
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and the loader's "/lib64/ld-linux-x86-64.so.2 (0x...)".
    [GeneratedRegex(@"(/\S+) \(0x[0-9a-f]+\)")]
    private static partial Regex LibraryPath();

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Building the gateway image {Tag} from {Files} files")]
    private static partial void LogBuilding(ILogger logger, string tag, int files);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Built the gateway image {Tag} in {Elapsed}")]
    private static partial void LogBuilt(ILogger logger, string tag, TimeSpan elapsed);
}
