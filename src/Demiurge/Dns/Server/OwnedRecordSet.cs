namespace Demiurge.Dns.Server;

/// <summary>A record set under the name it answers for: the query's name when a wildcard made it.</summary>
internal sealed record OwnedRecordSet(string Owner, ZoneRecordSet Set);
