using System.Diagnostics;

namespace FcgiActors.Client;

/// <summary>
/// A connection's ID → request table. Only the connection actor changes it; the socket read
/// loop looks requests up in it for every record, without a lock: the slots array is replaced,
/// never resized in place, and each slot is written and read with volatile semantics. An entry
/// is added before its BEGIN_REQUEST is queued, so the read loop sees it before any answer.
/// </summary>
internal sealed class RequestTable
{
    private ClientRequest?[] _slots = new ClientRequest?[8];

    /// <summary>Active requests (actor only).</summary>
    public int Count { get; private set; }

    public ClientRequest? Get(ushort id)
    {
        var slots = Volatile.Read(ref _slots);
        return id < slots.Length ? Volatile.Read(ref slots[id]) : null;
    }

    public bool Contains(ushort id) => Get(id) is not null;

    public void Add(ClientRequest request)
    {
        var slots = _slots;
        if (request.Id >= slots.Length)
        {
            var grown = new ClientRequest?[Math.Max(slots.Length * 2, request.Id + 1)];
            Array.Copy(slots, grown, slots.Length);
            Volatile.Write(ref _slots, grown);
            slots = grown;
        }

        Debug.Assert(slots[request.Id] is null, "an active ID is never allocated twice");
        Volatile.Write(ref slots[request.Id], request);
        Count++;
    }

    public void Remove(ClientRequest request)
    {
        var slots = _slots;
        if (request.Id < slots.Length && ReferenceEquals(slots[request.Id], request))
        {
            Volatile.Write(ref slots[request.Id], null);
            Count--;
        }
    }

    /// <summary>The requests present now.</summary>
    public List<ClientRequest> Snapshot()
    {
        var slots = Volatile.Read(ref _slots);
        var list = new List<ClientRequest>();
        for (var i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is { } request)
            {
                list.Add(request);
            }
        }

        return list;
    }
}
