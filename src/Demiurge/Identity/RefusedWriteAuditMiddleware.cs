using Demiurge.ApiKeys;
using Demiurge.Events;

namespace Demiurge.Identity;

/// <summary>
/// Records every write (any method but GET, HEAD, OPTIONS and TRACE) by an authenticated caller
/// that ended in 403 as a <see cref="EventKinds.RequestRefused"/> event, in this one place rather
/// than in every handler. Handlers refuse before they write, so this event is the refused
/// request's only write.
/// </summary>
internal sealed class RefusedWriteAuditMiddleware(RequestDelegate next, IEventStore store, TimeProvider time)
{
    /// <summary>Longer paths are cut in the event's detail: they are the caller's input.</summary>
    public const int MaxPathLength = 512;

    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method) && !HttpMethods.IsTrace(method))
        {
            // Before the answer's first byte: a caller who sees the 403 finds its event already in /events.
            context.Response.OnStarting(() => RecordIfRefusedAsync(context));
        }

        return next(context);
    }

    private async Task RecordIfRefusedAsync(HttpContext context)
    {
        if (context.Response.StatusCode != StatusCodes.Status403Forbidden || context.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        var caller = Caller.From(context.User);
        var path = context.Request.Path.Value ?? string.Empty;
        var detail = $"{context.Request.Method} {(path.Length > MaxPathLength ? path[..MaxPathLength] : path)}";
        var organizationId = Ids.Parse(context.GetRouteValue(ApiKeyScopeMiddleware.OrganizationRouteValue) as string);
        // Not the request's token: the refusal is recorded even if the caller hung up.
        await store.EventAppendAsync(
            new AuditEvent(Ids.New(), EventKinds.RequestRefused, caller.UserId, organizationId, caller.KeyId, detail, time.GetUtcNowMilliseconds()),
            CancellationToken.None);
    }
}
