using Demiurge.Common;
using Demiurge.GatewayProcess.Users;
using Demiurge.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// <c>GET /collab/{project_id}</c>: the project's room, a WebSocket speaking the y-websocket
/// protocol (docs/rooms.md). Every refusal (bad id, no credentials, not a member, unknown project,
/// not serving) is problem+json before the upgrade; once upgraded, a refusal is a close code.
/// </summary>
internal static partial class RoomEndpoints
{
    public const string Path = "/collab/{project_id}";

    public static RouteHandlerBuilder MapRoomEndpoints(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, ConnectAsync).WithTags("Rooms")
            .WithSummary("The project's real-time room: a WebSocket speaking y-websocket (members; viewers read only). Token in Authorization, ?token= or a room ticket in ?ticket=.");

    private static async Task<Results<EmptyHttpResult, ValidationProblem, ProblemHttpResult>> ConnectAsync(
        string project_id, HttpContext context, GatewayWorker worker, UserTokenVerifier users, RoomRegistry rooms, IOptions<GatewayProcessOptions> options,
        TimeProvider time, IHostApplicationLifetime lifetime, ILogger<RoomRegistry> logger, CancellationToken cancellationToken)
    {
        if (Ids.Parse(project_id) is not { } projectId)
        {
            return ApiProblems.Invalid("project_id", $"'{project_id}' is not a project id (a UUID).");
        }

        var (user, session, refusal) = await RoomAccess.CheckAsync(context, projectId, worker, users, options.Value, time, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        // Read only for a room that is not open yet (a client joining an open room does not decode
        // the whole document again), and handed to the registry, which opens the room from it.
        RoomDocument? loaded = null;
        if (!rooms.IsOpen(session!, projectId) && (loaded = RoomDocument.Load(session!.Document(projectId)?.Content)) is null)
        {
            return ApiProblems.Conflict($"Project {projectId}'s stored document is not a room document (it was written whole through /projects/{projectId}/state); the room cannot serve it.");
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            return ApiProblems.Problem(StatusCodes.Status426UpgradeRequired, "Upgrade required",
                "The room is a WebSocket: connect with a y-websocket client (ws:// or wss://).", "upgrade-required");
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new RoomConnection(socket, user!, rooms.Limits.MessageMaxBytes);
        var room = rooms.Join(session!, projectId, connection, loaded, out var refused);
        if (room is null)
        {
            LogRefused(logger, projectId, user!.UserId, refused, rooms.Count);
            connection.Close(refused, refused switch
            {
                RoomCloseCodes.RoomFull => $"the room has {rooms.Limits.ConnectionsPerRoom} connections",
                RoomCloseCodes.GatewayFull => $"the gateway has {rooms.Limits.RoomsPerGateway} rooms open",
                RoomCloseCodes.Unreadable => "the project's stored document is not a room document",
                _ => "organization released",
            });
            await connection.RunAsync(static (_, _) => { }, cancellationToken);
            return TypedResults.Empty;
        }

        var protocol = new RoomProtocol(room, connection, () => RoomAccess.Role(worker, user!.UserId), rooms.Limits, time, logger);
        LogJoined(logger, projectId, user!.UserId);
        // The server waits for open requests when it stops: a room's socket must not hold it.
        using var stopping = lifetime.ApplicationStopping.Register(() => connection.Close(RoomCloseCodes.Released, "gateway stopping"));
        try
        {
            await connection.RunAsync(protocol.Handle, cancellationToken);
        }
        finally
        {
            room.Leave(connection); // the room stays loaded until it is idle (RoomRegistry.Sweep)
        }

        if (connection.CloseCode is RoomCloseCodes.MessageTooLarge or RoomCloseCodes.TooSlow)
        {
            LogLimit(logger, projectId, user.UserId, connection.CloseCode);
        }

        LogLeft(logger, projectId, user.UserId, connection.CloseCode);
        return TypedResults.Empty;
    }

    [LoggerMessage(EventId = 4220, Level = LogLevel.Debug, Message = "User {UserId} joined the room of project {ProjectId}")]
    private static partial void LogJoined(ILogger logger, string projectId, string userId);

    [LoggerMessage(EventId = 4221, Level = LogLevel.Debug, Message = "User {UserId} left the room of project {ProjectId} (close {CloseCode})")]
    private static partial void LogLeft(ILogger logger, string projectId, string userId, int closeCode);

    [LoggerMessage(EventId = 4222, Level = LogLevel.Warning, Message = "Room of project {ProjectId} refused user {UserId} with {CloseCode} ({Rooms} rooms open)")]
    private static partial void LogRefused(ILogger logger, string projectId, string userId, int closeCode, int rooms);

    [LoggerMessage(EventId = 4223, Level = LogLevel.Warning, Message = "Room of project {ProjectId} closed the connection of user {UserId} with {CloseCode}: over a limit")]
    private static partial void LogLimit(ILogger logger, string projectId, string userId, int closeCode);
}
