namespace Demiurge.GatewayProcess;

/// <summary>How a call to the control plane ended. Failures are values, not exceptions: the worker decides.</summary>
internal enum ControlPlaneStatus
{
    Success,

    /// <summary>401: the token is not (or no longer) valid. For an allocation token: the allocation was revoked.</summary>
    Unauthorized,

    /// <summary>409: for a push, a stale version; for ready, the gateway was marked gone.</summary>
    Conflict,

    /// <summary>Any other error answer, or an answer that could not be read.</summary>
    Refused,

    /// <summary>No answer: the connection failed or the call timed out.</summary>
    Unreachable,

    /// <summary>A push the control plane will never accept as it is (400, 413, 415, 422): retrying cannot help.</summary>
    Rejected,
}
