namespace FcgiActors.Proxy.Routing;

/// <summary>How a relayed request ended, as far as the backend's health is concerned.</summary>
internal enum BackendOutcome
{
    /// <summary>END_REQUEST arrived: the backend is working.</summary>
    Success,

    /// <summary>Nothing reached the backend (connect refused or timed out): counts against health; may be retried elsewhere.</summary>
    NotReached,

    /// <summary>The backend failed mid-request (EOF, reset, protocol error): counts against health.</summary>
    Failed,

    /// <summary>The front went away and the request was aborted: says nothing about the backend.</summary>
    Cancelled,
}
