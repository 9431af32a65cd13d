namespace FcgiActors.Protocol;

/// <summary>
/// The management variables of §4.1, as an application reports them. A null member was not
/// reported (Go reports only FCGI_MPXS_CONNS; PHP-FPM likewise).
/// </summary>
public readonly record struct ManagementValues(int? MaxConns, int? MaxReqs, bool? MpxsConns);
