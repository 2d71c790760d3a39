namespace GpuEnet.Host.Data;

/// <summary>
/// Splits a byte stream into lines (<c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>, as old Mac files end lines) without decoding or allocating per line. A line is a
/// view of the internal buffer, valid until the next call. The buffer grows only when one line exceeds it.
/// </summary>
internal sealed class ByteLineReader
{
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private long _streamRead;

    public ByteLineReader(Stream stream, int bufferSize = 1 << 20)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Bytes of the stream consumed: where the next line starts.</summary>
    public long Position => _streamRead - (_end - _start);

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Reads the next line (without its terminator); false at the end of the stream.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        int searched = 0;
        while (true)
        {
            int k = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOfAny((byte)'\n', (byte)'\r');
            if (k >= 0)
            {
                int stop = _start + searched + k;
                int next = stop + 1;
                if (_buffer[stop] == (byte)'\r')
                {
                    if (next == _end && !_eof)
                    {
                        // A CR at the end of the buffer: the next byte decides between CR LF and a lone CR.
                        searched = stop - _start;
                        Fill();
                        continue;
                    }

                    if (next < _end && _buffer[next] == (byte)'\n')
                    {
                        next++;
                    }
                }

                line = _buffer.AsSpan(_start, stop - _start);
                _start = next;
                LineNumber++;
                return true;
            }

            searched = _end - _start;
            if (_eof)
            {
                if (_start < _end)
                {
                    line = _buffer.AsSpan(_start, _end - _start);
                    _start = _end;
                    LineNumber++;
                    return true;
                }

                line = default;
                return false;
            }

            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, checked(_buffer.Length * 2));
        }

        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
        _streamRead += read;
    }
}
