using System.Buffers.Binary;
using System.Collections.Immutable;

namespace Demiurge.Dns.Server;

/// <summary>
/// One version of the zone, immutable: queries read it without locks while a change builds the
/// next version from it (sharing all but the changed paths) and swaps it in whole.
/// </summary>
internal sealed class DnsZone
{
    /// <summary>Seconds a resolver may cache a negative answer (the SOA minimum, RFC 2308): short, because names come and go with allocations.</summary>
    public const uint NegativeTtl = 10;

    // A chain of CNAMEs longer than this is cut; the resolver follows the rest if it wants.
    private const int MaxCnameHops = 8;

    private static readonly ImmutableDictionary<DnsType, ZoneRecordSet> s_noSets = ImmutableDictionary<DnsType, ZoneRecordSet>.Empty;

    private readonly ImmutableDictionary<string, ImmutableDictionary<DnsType, ZoneRecordSet>> _names;

    // Every name that exists: each owner and each of its ancestors down to the origin, which exist
    // as empty non-terminals (RFC 4592 2.2.2), counted by the owners at or below them.
    private readonly ImmutableDictionary<string, int> _existing;

    private DnsZone(string origin, long serial, ImmutableDictionary<string, ImmutableDictionary<DnsType, ZoneRecordSet>> names, ImmutableDictionary<string, int> existing)
    {
        Origin = origin;
        Serial = serial;
        _names = names;
        _existing = existing;
    }

    /// <summary>The zone's name, lower case, without the trailing dot.</summary>
    public string Origin { get; }

    /// <summary>The SOA serial: the store's DNS version this zone includes.</summary>
    public long Serial { get; }

    /// <summary>An empty zone at serial 0 with its SOA, then <paramref name="records"/> (the records every zone has, from the settings).</summary>
    public static DnsZone Create(string origin, IEnumerable<DnsRecordSet> records)
    {
        var zone = new DnsZone(origin, 0, ImmutableDictionary<string, ImmutableDictionary<DnsType, ZoneRecordSet>>.Empty, ImmutableDictionary<string, int>.Empty);
        return zone.Apply(0, records, (_, error) => throw new ArgumentException(error, nameof(records)));
    }

    /// <summary>
    /// The zone at <paramref name="version"/>: each set replaced, or removed when it has no values.
    /// A set that cannot be served is skipped and reported to <paramref name="invalid"/>.
    /// </summary>
    public DnsZone Apply(long version, IEnumerable<DnsRecordSet> changes, Action<DnsRecordSet, string> invalid)
    {
        var names = _names.ToBuilder();
        var existing = _existing.ToBuilder();
        foreach (var change in changes)
        {
            var name = change.Name.TrimEnd('.').ToLowerInvariant();
            if (!DnsName.IsAtOrBelow(name, Origin) || DnsName.ToWire(name) is null)
            {
                invalid(change, $"'{change.Name}' is not a name in {Origin}");
                continue;
            }

            var sets = names.GetValueOrDefault(name, s_noSets);
            if (change.IsDeleted)
            {
                sets = Enum.TryParse<DnsType>(change.Type, out var type) ? sets.Remove(type) : sets;
            }
            else if (ZoneRecordSet.TryCreate(change, out var error) is { } set)
            {
                sets = sets.SetItem(set.Type, set);
            }
            else
            {
                invalid(change, error!);
                continue;
            }

            Put(names, existing, name, sets);
        }

        Put(names, existing, Origin, names.GetValueOrDefault(Origin, s_noSets).SetItem(DnsType.SOA, Soa(Origin, version)));
        return new DnsZone(Origin, version, names.ToImmutable(), existing.ToImmutable());
    }

    /// <summary>Answers <paramref name="type"/> at <paramref name="name"/> (lower-case presentation form).</summary>
    public DnsAnswer Lookup(string name, DnsType type)
    {
        if (!DnsName.IsAtOrBelow(name, Origin))
        {
            return DnsAnswer.Refused;
        }

        var answers = new List<OwnedRecordSet>();
        for (var hop = 0; hop <= MaxCnameHops; hop++)
        {
            var sets = Find(name);
            if (sets is null)
            {
                return Negative(DnsResponseCode.NxDomain, answers);
            }

            if (type == DnsType.ANY && sets.Count > 0)
            {
                answers.AddRange(sets.Values.Select(s => new OwnedRecordSet(name, s)));
                return new DnsAnswer(DnsResponseCode.NoError, answers, null);
            }

            if (sets.TryGetValue(type, out var set))
            {
                answers.Add(new OwnedRecordSet(name, set));
                return new DnsAnswer(DnsResponseCode.NoError, answers, null);
            }

            if (!sets.TryGetValue(DnsType.CNAME, out var alias))
            {
                return Negative(DnsResponseCode.NoError, answers);
            }

            answers.Add(new OwnedRecordSet(name, alias));
            name = alias.Target;
            if (!DnsName.IsAtOrBelow(name, Origin))
            {
                break;
            }
        }

        return new DnsAnswer(DnsResponseCode.NoError, answers, null);
    }

    /// <summary>
    /// The sets at <paramref name="name"/>: its own, none for an empty non-terminal, else those of
    /// the wildcard at its closest encloser (RFC 4592 3.3.1); null when the name does not exist.
    /// </summary>
    private ImmutableDictionary<DnsType, ZoneRecordSet>? Find(string name)
    {
        if (_names.TryGetValue(name, out var sets))
        {
            return sets;
        }

        if (_existing.ContainsKey(name))
        {
            return s_noSets;
        }

        // The origin always exists (it holds the SOA), so this ends there at the latest.
        var encloser = DnsName.Parent(name);
        while (!_existing.ContainsKey(encloser))
        {
            encloser = DnsName.Parent(encloser);
        }

        return _names.GetValueOrDefault("*." + encloser);
    }

    private DnsAnswer Negative(DnsResponseCode code, List<OwnedRecordSet> answers) =>
        new(code, answers, new OwnedRecordSet(Origin, _names[Origin][DnsType.SOA]));

    private void Put(ImmutableDictionary<string, ImmutableDictionary<DnsType, ZoneRecordSet>>.Builder names, ImmutableDictionary<string, int>.Builder existing, string name, ImmutableDictionary<DnsType, ZoneRecordSet> sets)
    {
        var existed = names.ContainsKey(name);
        if (sets.Count == 0)
        {
            names.Remove(name);
        }
        else
        {
            names[name] = sets;
        }

        var delta = (sets.Count > 0 ? 1 : 0) - (existed ? 1 : 0);
        if (delta == 0)
        {
            return;
        }

        for (var ancestor = name; ; ancestor = DnsName.Parent(ancestor))
        {
            var count = existing.GetValueOrDefault(ancestor) + delta;
            if (count == 0)
            {
                existing.Remove(ancestor);
            }
            else
            {
                existing[ancestor] = count;
            }

            if (ancestor == Origin)
            {
                break;
            }
        }
    }

    private static ZoneRecordSet Soa(string origin, long serial)
    {
        var timers = new byte[20];
        BinaryPrimitives.WriteUInt32BigEndian(timers, unchecked((uint)serial));
        BinaryPrimitives.WriteUInt32BigEndian(timers.AsSpan(4), 3600);   // refresh
        BinaryPrimitives.WriteUInt32BigEndian(timers.AsSpan(8), 600);    // retry
        BinaryPrimitives.WriteUInt32BigEndian(timers.AsSpan(12), 86400); // expire
        BinaryPrimitives.WriteUInt32BigEndian(timers.AsSpan(16), NegativeTtl);
        var data = new DnsRecordData([DnsZoneRecords.Nameserver(origin), DnsZoneRecords.Hostmaster(origin)], timers);
        return new ZoneRecordSet(DnsType.SOA, DnsZoneRecords.Ttl, [data]);
    }
}
