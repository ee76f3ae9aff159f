namespace Demiurge.Dns.Server;

/// <summary>Response codes (RFC 1035 4.1.1, RFC 6891 9); BADVERS needs the OPT record's extended bits.</summary>
internal enum DnsResponseCode
{
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
    BadVers = 16,
}
