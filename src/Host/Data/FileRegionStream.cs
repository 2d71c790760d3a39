using Microsoft.Win32.SafeHandles;

namespace GpuEnet.Host.Data;

/// <summary>
/// Bytes [start, end) of an open file as a forward-only stream of positioned reads: several threads read their own
/// regions of one handle at once, with no shared file position.
/// </summary>
internal sealed class FileRegionStream(SafeFileHandle handle, long start, long end) : Stream
{
    private readonly long _start = start;
    private long _position = start;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => end - _start;

    public override long Position { get => _position - _start; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int want = (int)Math.Min(buffer.Length, end - _position);
        if (want <= 0)
        {
            return 0;
        }

        int read = RandomAccess.Read(handle, buffer[..want], _position);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
