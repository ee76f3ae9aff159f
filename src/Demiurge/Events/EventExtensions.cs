namespace Demiurge.Events;

internal static class EventExtensions
{
    /// <summary>Right after authentication, so that it sees the 403 of authorization, of API key scopes and of handlers alike.</summary>
    public static IApplicationBuilder UseRefusedWriteAudit(this IApplicationBuilder app) => app.UseMiddleware<RefusedWriteAuditMiddleware>();
}
