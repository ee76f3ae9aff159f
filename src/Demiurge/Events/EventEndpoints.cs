using Demiurge.Identity;

namespace Demiurge.Events;

internal static class EventEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapEventEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/events").WithTags("Events").RequireAuthorization(IdentityExtensions.AdminPolicy);
        group.MapGet("", ListAsync).WithSummary("The audit trail in commit order; page with ?after={seq} (system admins only).");
        return group;
    }

    private static async Task<Results<Ok<EventResponse[]>, ValidationProblem>> ListAsync(
        IEventStore store, CancellationToken cancellationToken, long after = 0, int limit = DefaultLimit)
    {
        // Sequence numbers start at 1: a negative cursor is a client's mistake, not "from the start".
        if (after < 0)
        {
            return ApiProblems.Invalid("after", "The after cursor must be a sequence number, 0 or more.");
        }

        if (limit is < 1 or > MaxLimit)
        {
            return ApiProblems.Invalid("limit", $"The limit must be between 1 and {MaxLimit}.");
        }

        var events = await store.EventListAsync(after, limit, cancellationToken);
        return TypedResults.Ok(events.Select(EventResponse.From).ToArray());
    }
}
