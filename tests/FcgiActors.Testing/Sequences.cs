using System.Buffers;

namespace FcgiActors.Testing;

/// <summary>
/// Multi-segment sequences, as a pipe hands them out after several reads. Every segment is
/// copied into its own array, so code that reads past a segment's end cannot pass by luck.
/// </summary>
public static class Sequences
{
    /// <summary>
    /// <paramref name="data"/> cut at <paramref name="splitOffsets"/> (ascending, 0..Length;
    /// repeated or end offsets give empty segments, which pipes may also produce).
    /// </summary>
    public static ReadOnlySequence<byte> MultiSegment(byte[] data, params int[] splitOffsets)
    {
        var previous = 0;
        TestSegment? first = null;
        TestSegment? last = null;
        foreach (var offset in splitOffsets.Append(data.Length))
        {
            if (offset < previous || offset > data.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(splitOffsets), offset,
                    $"Split offsets must ascend within 0..{data.Length}.");
            }

            var memory = data.AsSpan(previous, offset - previous).ToArray();
            last = last is null ? first = new TestSegment(memory) : last.Append(memory);
            previous = offset;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>One segment per byte (an empty single segment for empty data).</summary>
    public static ReadOnlySequence<byte> ByteByByte(byte[] data) =>
        data.Length == 0
            ? new ReadOnlySequence<byte>([])
            : MultiSegment(data, Enumerable.Range(1, data.Length - 1).ToArray());

    /// <summary>
    /// Every two-segment sequence of <paramref name="data"/>: split at 0, 1, …, Length (the ends
    /// give an empty first or last segment). The split offset is <c>sequence.First.Length</c>.
    /// </summary>
    public static IEnumerable<ReadOnlySequence<byte>> AllSplits(byte[] data)
    {
        for (var offset = 0; offset <= data.Length; offset++)
        {
            yield return MultiSegment(data, offset);
        }
    }
}
