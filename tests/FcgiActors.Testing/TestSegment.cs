using System.Buffers;

namespace FcgiActors.Testing;

/// <summary>A segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>.</summary>
public sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory, long runningIndex = 0)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Links a new segment after this one and returns it.</summary>
    public TestSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new TestSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}
