using System.Collections;
using System.Text;
using FcgiActors.Protocol;

namespace FcgiActors.Responder;

/// <summary>
/// The PARAMS of a request: name-value pairs in the order received, names and values as
/// bytes (kept exact for relaying) with UTF-8 string views. Lookups are by exact
/// (case-sensitive) name; with duplicates the first one wins, as in libfcgi's FCGX_GetParam.
/// </summary>
public sealed class FcgiParams : IEnumerable<(string Name, string Value)>
{
    private readonly byte[] _bytes;
    private readonly Entry[] _entries;
    private readonly int _count;
    private string?[]? _names;
    private string?[]? _values;
    private RawPairs? _raw;

    internal FcgiParams(byte[] bytes, Entry[] entries, int count)
    {
        _bytes = bytes;
        _entries = entries;
        _count = count;
    }

    /// <summary>No params.</summary>
    public static FcgiParams Empty { get; } = new([], [], 0);

    /// <summary>Number of pairs.</summary>
    public int Count => _count;

    /// <summary>
    /// The pairs as bytes, exactly as received (for relaying): a view over the params' own
    /// memory, each pair made when read (the proxy relays every request's PARAMS through it).
    /// </summary>
    public IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> Raw => _raw ??= new RawPairs(this);

    /// <summary>The value of <paramref name="name"/> decoded as UTF-8, or null when absent.</summary>
    public string? Get(string name)
    {
        var index = IndexOf(name);
        return index < 0 ? null : ValueAt(index);
    }

    /// <summary>The value bytes of <paramref name="name"/>.</summary>
    public bool TryGetRaw(string name, out ReadOnlyMemory<byte> value)
    {
        var index = IndexOf(name);
        if (index < 0)
        {
            value = default;
            return false;
        }

        var e = _entries[index];
        value = _bytes.AsMemory(e.NameStart + e.NameLength, e.ValueLength);
        return true;
    }

    /// <summary>True when <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The name of pair <paramref name="index"/>.</summary>
    public string NameAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        _names ??= new string?[_count];
        var e = _entries[index];
        return _names[index] ??= Encoding.UTF8.GetString(_bytes, e.NameStart, e.NameLength);
    }

    /// <summary>The value of pair <paramref name="index"/>.</summary>
    public string ValueAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        _values ??= new string?[_count];
        var e = _entries[index];
        return _values[index] ??= Encoding.UTF8.GetString(_bytes, e.NameStart + e.NameLength, e.ValueLength);
    }

    public IEnumerator<(string Name, string Value)> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return (NameAt(i), ValueAt(i));
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal int IndexOf(string name)
    {
        Span<byte> stack = stackalloc byte[128];
        var max = Encoding.UTF8.GetMaxByteCount(name.Length);
        var buffer = max <= stack.Length ? stack : new byte[max];
        var length = Encoding.UTF8.GetBytes(name, buffer);
        return IndexOf(buffer[..length]);
    }

    internal int IndexOf(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < _count; i++)
        {
            var e = _entries[i];
            if (e.NameLength == name.Length && _bytes.AsSpan(e.NameStart, e.NameLength).SequenceEqual(name))
            {
                return i;
            }
        }

        return -1;
    }

    internal ReadOnlySpan<byte> ValueSpan(int index)
    {
        var e = _entries[index];
        return _bytes.AsSpan(e.NameStart + e.NameLength, e.ValueLength);
    }

    internal readonly record struct Entry(int NameStart, int NameLength, int ValueLength);

    private KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> RawAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        var e = _entries[index];
        return new(_bytes.AsMemory(e.NameStart, e.NameLength), _bytes.AsMemory(e.NameStart + e.NameLength, e.ValueLength));
    }

    private sealed class RawPairs(FcgiParams owner) : IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>>
    {
        public int Count => owner._count;

        public KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> this[int index] => owner.RawAt(index);

        public IEnumerator<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> GetEnumerator()
        {
            for (var i = 0; i < owner._count; i++)
            {
                yield return owner.RawAt(i);
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Collects pairs from a <see cref="NameValueDecoder"/> into owned memory.</summary>
    internal sealed class Builder : INameValueSink
    {
        private byte[] _bytes = [];
        private Entry[] _entries = new Entry[32];
        private int _length;
        private int _count;

        /// <summary>
        /// Room for <paramref name="bytes"/> more name and value bytes: called with each PARAMS
        /// record's content length (an upper bound of the pairs in it), so the common single
        /// record costs one exact allocation instead of a guess and a copy.
        /// </summary>
        public void Reserve(int bytes)
        {
            if (_length + bytes > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_length + bytes, _bytes.Length * 2));
            }
        }

        public void OnPair(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            var needed = _length + name.Length + value.Length;
            if (needed > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(needed, Math.Max(256, _bytes.Length * 2)));
            }

            if (_count == _entries.Length)
            {
                Array.Resize(ref _entries, _count * 2);
            }

            name.CopyTo(_bytes.AsSpan(_length));
            value.CopyTo(_bytes.AsSpan(_length + name.Length));
            _entries[_count++] = new Entry(_length, name.Length, value.Length);
            _length = needed;
        }

        public FcgiParams Build() => new(_bytes, _entries, _count);
    }
}
