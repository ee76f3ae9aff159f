using System.Net;
using System.Net.Sockets;

namespace Demiurge.Tests.Infrastructure;

public static class FreePorts
{
    /// <summary>A loopback TCP port that was free a moment ago (the kernel picked it); nothing listens on it.</summary>
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
