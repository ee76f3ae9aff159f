namespace Demiurge.Gateways;

/// <summary>A saga step failed for a reason the saga itself detected.</summary>
internal sealed class SagaStepException(string message) : Exception(message);
