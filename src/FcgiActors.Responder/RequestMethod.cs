namespace FcgiActors.Responder;

/// <summary>REQUEST_METHOD as a code, numbered as in libfcgi2 (GET=1 … CONNECT=8, anything else UNKNOWN=9).</summary>
public enum RequestMethod
{
    Get = 1,
    Post = 2,
    Head = 3,
    Put = 4,
    Delete = 5,
    Options = 6,
    Trace = 7,
    Connect = 8,
    Unknown = 9,
}
