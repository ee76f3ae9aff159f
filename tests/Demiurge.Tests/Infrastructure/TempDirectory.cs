namespace Demiurge.Tests.Infrastructure;

/// <summary>A fresh folder under the system temp directory, deleted on dispose, with the PostgreSQL cluster of a control plane that used it as its data directory.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("demiurge-test-").FullName;

    public void Dispose()
    {
        TestStore.Release(Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the OS cleans temp folders.
        }
    }
}
