using System.Runtime.InteropServices;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// A stream straight on a file descriptor the process inherited (fds 0, 1 and 2 of
/// <c>fcgi bridge</c>): every Read is one read(2), every Write one write(2) at the descriptor's
/// own offset, as cgi-fcgi does — so pipes, ttys, files opened with <c>&gt;</c> or <c>&gt;&gt;</c>
/// and descriptors shared with the shell all behave alike. <see cref="WriteGathered"/> writes
/// several pieces of one buffer with one writev(2). The descriptor is never closed here.
/// A failed write (EPIPE: the reader went away) throws <see cref="IOException"/>; a descriptor
/// that is not open (the bridge started with fd 1 closed) behaves as /dev/null.
/// </summary>
public sealed class DescriptorStream : Stream
{
    private const int IovMax = 64; // pieces per writev; far below IOV_MAX (1024)

    private readonly int _fd;
    private readonly bool _writable;
    private nint[]? _iov;

    /// <param name="fd">The descriptor; it stays open when the stream is disposed.</param>
    /// <param name="writable">True for an output descriptor, false for an input one.</param>
    public DescriptorStream(int fd, bool writable)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        _fd = fd;
        _writable = writable;
    }

    public override bool CanRead => !_writable;
    public override bool CanSeek => false;
    public override bool CanWrite => _writable;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            var n = Libc.read(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (n >= 0)
            {
                return (int)n;
            }

            if (Libc.Errno == Libc.EBADF)
            {
                return 0;
            }

            Retry(Libc.POLLIN, "read");
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = Libc.write(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (n < 0)
            {
                if (Libc.Errno == Libc.EBADF)
                {
                    return;
                }

                Retry(Libc.POLLOUT, "write");
                continue;
            }

            buffer = buffer[(int)n..];
        }
    }

    /// <summary>
    /// Writes <c>buffer[offset..offset+length]</c> for each (offset, length) in <paramref name="pieces"/>,
    /// in order, with as few writev(2) calls as the kernel allows.
    /// </summary>
    public void WriteGathered(byte[] buffer, ReadOnlySpan<(int Offset, int Length)> pieces)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            var origin = handle.AddrOfPinnedObject();
            while (!pieces.IsEmpty)
            {
                var count = Math.Min(pieces.Length, IovMax);
                var total = FillIov(buffer, origin, pieces[..count]);
                var n = Libc.writev(_fd, Iov, count);
                if (n < 0)
                {
                    if (Libc.Errno == Libc.EBADF)
                    {
                        return;
                    }

                    Retry(Libc.POLLOUT, "write");
                    continue;
                }

                if (n == total)
                {
                    pieces = pieces[count..];
                    continue;
                }

                // A short write (a signal, a full non-blocking pipe): finish the piece it stopped in, go on after it.
                var done = (long)n;
                var k = 0;
                while (done >= pieces[k].Length)
                {
                    done -= pieces[k].Length;
                    k++;
                }

                Write(buffer.AsSpan(pieces[k].Offset + (int)done, pieces[k].Length - (int)done));
                pieces = pieces[(k + 1)..];
            }
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>
    /// One readv(2) into <c>buffer[offset..offset+length]</c> for each (offset, length) in
    /// <paramref name="pieces"/> (at most 64), filled in order: the bytes read, 0 at the end.
    /// </summary>
    public int ReadScattered(byte[] buffer, ReadOnlySpan<(int Offset, int Length)> pieces)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pieces.Length, IovMax, nameof(pieces));
        var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            FillIov(buffer, handle.AddrOfPinnedObject(), pieces);
            while (true)
            {
                var n = Libc.readv(_fd, Iov, pieces.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                if (Libc.Errno == Libc.EBADF)
                {
                    return 0;
                }

                Retry(Libc.POLLIN, "read");
            }
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>Returns when the failed call should be made again (<see cref="Libc.ShouldRetry"/>); anything else throws.</summary>
    private void Retry(short events, string call)
    {
        var errno = Libc.Errno;
        if (!Libc.ShouldRetry(_fd, events))
        {
            throw new IOException($"{call}(2) on fd {_fd} failed: {Libc.Message(errno)}");
        }
    }

    /// <summary>struct iovec pairs (base, length) for gathered writes and scattered reads; made on first use.</summary>
    private nint[] Iov => _iov ??= new nint[2 * IovMax];

    /// <summary>
    /// Fills <see cref="Iov"/> with the struct iovec of each (offset, length) in
    /// <paramref name="pieces"/>, relative to <paramref name="origin"/> (the pinned
    /// <paramref name="buffer"/>); returns the bytes they cover.
    /// </summary>
    private long FillIov(byte[] buffer, nint origin, ReadOnlySpan<(int Offset, int Length)> pieces)
    {
        var iov = Iov;
        long total = 0;
        for (var i = 0; i < pieces.Length; i++)
        {
            var (offset, length) = pieces[i];
            ArgumentOutOfRangeException.ThrowIfGreaterThan((long)offset + length, buffer.Length, nameof(pieces));
            iov[2 * i] = origin + offset;
            iov[(2 * i) + 1] = length;
            total += length;
        }

        return total;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
