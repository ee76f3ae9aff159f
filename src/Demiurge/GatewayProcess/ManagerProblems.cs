using Demiurge.GatewayProcess.Users;

namespace Demiurge.GatewayProcess;

/// <summary>The problem answers of the OAuth and container endpoints (RFC 9457; OAuth errors also carry RFC 6749's fields).</summary>
internal static class ManagerProblems
{
    /// <summary>
    /// An OAuth error as problem+json, with RFC 6749's <c>error</c> and <c>error_description</c>
    /// members beside the problem's own, so that OAuth clients and problem readers both understand it.
    /// </summary>
    public static ProblemHttpResult OAuth(string error, string description, int status = StatusCodes.Status400BadRequest) =>
        TypedResults.Problem(
            detail: description,
            statusCode: status,
            title: "OAuth request refused: " + error,
            type: ApiProblems.TypePrefix + "oauth-" + error.Replace('_', '-'),
            extensions: new Dictionary<string, object?> { ["error"] = error, ["error_description"] = description });

    /// <summary>401 with a <c>WWW-Authenticate: Bearer</c> challenge.</summary>
    public static ProblemHttpResult Unauthenticated(HttpResponse response, string detail)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.WWWAuthenticate = "Bearer";
        return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Authentication required", detail, "unauthorized");
    }

    /// <summary>Why a user could not be identified: 503 when the control plane cannot say, else 401.</summary>
    public static ProblemHttpResult Refusal(HttpContext context, UserVerification verification)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(verification);
        return verification.Status == UserVerificationStatus.Unavailable
            ? Unavailable(verification.Detail)
            : Unauthenticated(context.Response, verification.Detail);
    }

    public static ProblemHttpResult Unavailable(string detail) =>
        ApiProblems.Problem(StatusCodes.Status503ServiceUnavailable, "Cannot verify the user", detail, "unavailable");

    public static ProblemHttpResult NotServing(GatewayWorker worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return ApiProblems.Conflict($"The gateway is {worker.Snapshot().State.ToString().ToLowerInvariant()} and serves no organization now.");
    }

    /// <summary>Tokens are in the answer (or an error about them): no cache may keep it (RFC 6749, section 5.1).</summary>
    public static void NoStore(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
