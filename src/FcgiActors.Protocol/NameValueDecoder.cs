using System.Buffers;

namespace FcgiActors.Protocol;

/// <summary>
/// Decodes a name-value stream fed record by record. §3.4 lets a pair straddle records
/// ("senders never split", but receivers must reassemble), so a partial pair is kept in a
/// pooled buffer until the rest arrives. Every declared length is checked against the limits
/// before a byte is buffered for it; pooled memory is bounded by the largest allowed pair.
/// Not thread-safe: one decoder per stream.
/// </summary>
public sealed class NameValueDecoder : IDisposable
{
    private readonly NameValueLimits _limits;
    private readonly string _streamName;
    private byte[]? _pending;
    private int _pendingLength;
    private bool _pendingLengthsChecked;

    /// <param name="limits">Bounds for the whole stream.</param>
    /// <param name="streamName">Named in error messages, e.g. "PARAMS".</param>
    public NameValueDecoder(NameValueLimits limits, string streamName = "PARAMS")
    {
        _limits = limits;
        _streamName = streamName;
    }

    /// <summary>Encoded bytes seen so far.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Pairs completed so far.</summary>
    public int PairCount { get; private set; }

    /// <summary>True while a pair is only partly received.</summary>
    public bool HasPartialPair => _pendingLength > 0;

    /// <summary>Decodes one record's content, calling <paramref name="sink"/> for each pair it completes.</summary>
    /// <exception cref="NameValueException">A limit is exceeded.</exception>
    public void Decode(in ReadOnlySequence<byte> content, INameValueSink sink)
    {
        CountBytes(content.Length);
        foreach (var segment in content)
        {
            DecodeSpan(segment.Span, sink);
        }
    }

    /// <summary>Decodes one record's content, calling <paramref name="sink"/> for each pair it completes.</summary>
    /// <exception cref="NameValueException">A limit is exceeded.</exception>
    public void Decode(ReadOnlySpan<byte> content, INameValueSink sink)
    {
        CountBytes(content.Length);
        DecodeSpan(content, sink);
    }

    /// <summary>The stream's empty record arrived: no pair may be left unfinished.</summary>
    /// <exception cref="NameValueException">The stream ended inside a pair.</exception>
    public void Complete()
    {
        if (_pendingLength > 0)
        {
            var buffered = _pendingLength;
            Reset();
            throw new NameValueException(NameValueError.Truncated,
                $"{_streamName} stream ended inside a name-value pair ({buffered} bytes of it received).");
        }
    }

    /// <summary>Forgets all state, for reuse on another stream.</summary>
    public void Reset()
    {
        _pendingLength = 0;
        _pendingLengthsChecked = false;
        TotalBytes = 0;
        PairCount = 0;
        ReturnPending();
    }

    public void Dispose() => ReturnPending();

    private void CountBytes(long count)
    {
        TotalBytes += count;
        if (TotalBytes > _limits.MaxTotalBytes)
        {
            throw new NameValueException(NameValueError.TooManyBytes,
                $"{_streamName} stream is {TotalBytes} bytes so far; the limit is {_limits.MaxTotalBytes}.");
        }
    }

    private void DecodeSpan(ReadOnlySpan<byte> input, INameValueSink sink)
    {
        if (_pendingLength > 0)
        {
            input = CompletePending(input, sink);
        }

        while (!input.IsEmpty)
        {
            if (!NameValueCodec.TryReadLength(input, out var nameLength, out var n1)
                || !NameValueCodec.TryReadLength(input[n1..], out var valueLength, out var n2))
            {
                Buffer(input);
                return;
            }

            CheckLengths(nameLength, valueLength);
            var pairLength = n1 + n2 + (long)nameLength + valueLength;
            if (input.Length < pairLength)
            {
                _pendingLengthsChecked = true;
                Buffer(input);
                return;
            }

            Emit(input.Slice(n1 + n2, nameLength), input.Slice(n1 + n2 + nameLength, valueLength), sink);
            input = input[(int)pairLength..];
        }
    }

    /// <summary>Moves bytes from <paramref name="input"/> into the pending pair until it is whole; returns the rest.</summary>
    private ReadOnlySpan<byte> CompletePending(ReadOnlySpan<byte> input, INameValueSink sink)
    {
        while (!input.IsEmpty)
        {
            var required = RequiredLength();
            var take = (int)Math.Min(required - _pendingLength, input.Length);
            Buffer(input[..take]);
            input = input[take..];
            // Ask again rather than compare with `required`: the bytes just taken may complete
            // the lengths, which must be checked against the limits now (a pair with empty name
            // and value would otherwise be emitted unchecked, bypassing MaxPairs).
            if (_pendingLength < RequiredLength())
            {
                continue;
            }

            var pending = _pending.AsSpan(0, _pendingLength);
            if (NameValueCodec.TryReadLength(pending, out var nameLength, out var n1)
                && NameValueCodec.TryReadLength(pending[n1..], out var valueLength, out var n2)
                && pending.Length == n1 + n2 + (long)nameLength + valueLength)
            {
                Emit(pending.Slice(n1 + n2, nameLength), pending.Slice(n1 + n2 + nameLength, valueLength), sink);
                _pendingLength = 0;
                _pendingLengthsChecked = false;
                return input;
            }
        }

        return input;
    }

    /// <summary>
    /// How many bytes the pending pair needs in all, as far as its buffered prefix tells: first
    /// enough to read both lengths, then the whole pair (whose lengths are checked once known).
    /// </summary>
    private long RequiredLength()
    {
        var pending = _pending.AsSpan(0, _pendingLength);
        var n1 = pending[0] < 0x80 ? 1 : 4;
        if (pending.Length < n1 + 1)
        {
            return n1 + 1;
        }

        var n2 = pending[n1] < 0x80 ? 1 : 4;
        if (pending.Length < n1 + n2)
        {
            return n1 + n2;
        }

        NameValueCodec.TryReadLength(pending, out var nameLength, out _);
        NameValueCodec.TryReadLength(pending[n1..], out var valueLength, out _);
        if (!_pendingLengthsChecked)
        {
            CheckLengths(nameLength, valueLength);
            _pendingLengthsChecked = true;
        }

        return n1 + n2 + (long)nameLength + valueLength;
    }

    private void CheckLengths(int nameLength, int valueLength)
    {
        if (nameLength > _limits.MaxNameLength)
        {
            throw new NameValueException(NameValueError.NameTooLong,
                $"{_streamName} pair {PairCount + 1} declares a name of {nameLength} bytes; the limit is {_limits.MaxNameLength}.");
        }

        if (valueLength > _limits.MaxValueLength)
        {
            throw new NameValueException(NameValueError.ValueTooLong,
                $"{_streamName} pair {PairCount + 1} declares a value of {valueLength} bytes; the limit is {_limits.MaxValueLength}.");
        }

        if (PairCount >= _limits.MaxPairs)
        {
            throw new NameValueException(NameValueError.TooManyPairs,
                $"{_streamName} stream has more than {_limits.MaxPairs} pairs.");
        }

        // The pair must fit in what the stream may still hold, so a huge declared length is
        // refused now rather than after waiting for (and buffering) its bytes.
        var pairLength = NameValueCodec.GetEncodedLength(nameLength, valueLength);
        if (pairLength > _limits.MaxTotalBytes)
        {
            throw new NameValueException(NameValueError.TooManyBytes,
                $"{_streamName} pair {PairCount + 1} declares {pairLength} bytes; the stream limit is {_limits.MaxTotalBytes}.");
        }
    }

    private void Emit(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, INameValueSink sink)
    {
        PairCount++;
        sink.OnPair(name, value);
    }

    private void Buffer(ReadOnlySpan<byte> bytes)
    {
        var needed = _pendingLength + bytes.Length;
        if (_pending is null || _pending.Length < needed)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 64));
            if (_pending is not null)
            {
                _pending.AsSpan(0, _pendingLength).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_pending);
            }

            _pending = grown;
        }

        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength = needed;
    }

    private void ReturnPending()
    {
        if (_pending is not null)
        {
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = null;
        }
    }
}
