using System.Globalization;
using System.Text;

namespace GpuEnet.Host.Data;

/// <summary>
/// The header of a NumPy <c>.npy</c> file (format versions 1.0, 2.0 and 3.0): element type, memory order, shape and
/// where the data starts. The header dictionary is parsed as the small Python literal it is, not by pattern matching,
/// so key order, spacing, trailing commas and Python 2 long suffixes (<c>3L</c>) are all accepted.
/// </summary>
internal sealed class NpyHeader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Type kind: <c>f</c> float, <c>i</c> signed, <c>u</c> unsigned, <c>b</c> bool, …</summary>
    public char Kind { get; private init; }

    /// <summary>Bytes per element.</summary>
    public int ItemSize { get; private init; }

    /// <summary>Elements are in Fortran (column-major) order.</summary>
    public bool FortranOrder { get; private init; }

    /// <summary>The array shape.</summary>
    public long[] Shape { get; private init; } = [];

    /// <summary>Byte offset of the first element.</summary>
    public long DataOffset { get; private init; }

    /// <summary>The <c>descr</c> string as written.</summary>
    public string Descr { get; private init; } = "";

    /// <summary>Reads and validates the header at the start of <paramref name="file"/>.</summary>
    /// <exception cref="Cli.CliException">When the file is not a little-endian numeric <c>.npy</c>.</exception>
    public static NpyHeader Read(string file)
    {
        using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        Span<byte> prefix = stackalloc byte[12];
        int got = fs.ReadAtLeast(prefix, 12, throwOnEndOfStream: false);
        if (got < 10 || !prefix.StartsWith(Magic))
        {
            throw DataErrors.File(file, got == 0 ? "is empty." : "is not a NumPy .npy file (bad magic bytes).");
        }

        int major = prefix[6];
        long headerLength;
        int fixedPart;
        if (major == 1)
        {
            headerLength = prefix[8] | (prefix[9] << 8);
            fixedPart = 10;
        }
        else if (major is 2 or 3 && got == 12)
        {
            headerLength = (uint)(prefix[8] | (prefix[9] << 8) | (prefix[10] << 16) | (prefix[11] << 24));
            fixedPart = 12;
        }
        else
        {
            throw DataErrors.File(file, $"uses .npy format version {major}.{prefix[7]}, which is not supported (1.0, 2.0 and 3.0 are).");
        }

        if (fixedPart + headerLength > fs.Length || headerLength > 1 << 24)
        {
            throw DataErrors.File(file, "is truncated inside its .npy header.");
        }

        var text = new byte[headerLength];
        fs.Position = fixedPart;
        fs.ReadExactly(text);
        string dict = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(text);
        return Parse(dict, fixedPart + headerLength, file);
    }

    /// <summary>Interprets the header dictionary text.</summary>
    internal static NpyHeader Parse(string dict, long dataOffset, string file)
    {
        object? parsed;
        try
        {
            var parser = new PyLiteral(dict);
            parsed = parser.Value();
            parser.End();
        }
        catch (FormatException ex)
        {
            throw DataErrors.File(file, $"has a malformed .npy header ({ex.Message.TrimEnd('.')}).");
        }

        if (parsed is not Dictionary<string, object?> d)
        {
            throw DataErrors.File(file, "has a malformed .npy header (it is not a dictionary).");
        }

        if (!d.TryGetValue("descr", out object? descrObj) || descrObj is not string descr)
        {
            throw DataErrors.File(file, "has a .npy header without a simple 'descr' (structured arrays are not supported).");
        }

        if (!d.TryGetValue("fortran_order", out object? fo) || fo is not bool fortran)
        {
            throw DataErrors.File(file, "has a .npy header without a boolean 'fortran_order'.");
        }

        if (!d.TryGetValue("shape", out object? shapeObj) || shapeObj is not List<object?> shapeList || !shapeList.TrueForAll(s => s is long v && v >= 0))
        {
            throw DataErrors.File(file, "has a .npy header without a valid 'shape'.");
        }

        if (descr.Length < 3 || !int.TryParse(descr.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
        {
            throw DataErrors.File(file, $"has the unsupported element type '{descr}'.");
        }

        char order = descr[0];
        bool little = order == '<' || (order == '=' && BitConverter.IsLittleEndian) || (order == '|' && size == 1);
        if (!little)
        {
            throw DataErrors.File(file, $"has the big-endian element type '{descr}', which is not supported (save it little-endian).");
        }

        return new NpyHeader
        {
            Kind = descr[1],
            ItemSize = size,
            FortranOrder = fortran,
            Shape = [.. shapeList.Select(s => (long)s!)],
            DataOffset = dataOffset,
            Descr = descr,
        };
    }

    /// <summary>Reader of the Python literal subset used by .npy headers: dict, tuple, list, str, int, True/False/None.</summary>
    private sealed class PyLiteral(string text)
    {
        private int _at;

        public void End()
        {
            Skip();
            if (_at < text.Length)
            {
                throw new FormatException($"unexpected '{text[_at]}' after the dictionary.");
            }
        }

        public object? Value()
        {
            Skip();
            if (_at >= text.Length)
            {
                throw new FormatException("it ends early.");
            }

            char c = text[_at];
            switch (c)
            {
                case '{':
                    return Dict();
                case '(':
                    return Sequence(')');
                case '[':
                    return Sequence(']');
                case '\'':
                case '"':
                    return Str();
                default:
                    if (c == '-' || char.IsAsciiDigit(c))
                    {
                        return Int();
                    }

                    string word = Word();
                    return word switch
                    {
                        "True" => true,
                        "False" => false,
                        "None" => null,
                        _ => throw new FormatException($"unexpected '{word}'."),
                    };
            }
        }

        private Dictionary<string, object?> Dict()
        {
            _at++;
            var d = new Dictionary<string, object?>(StringComparer.Ordinal);
            while (true)
            {
                Skip();
                if (Peek() == '}')
                {
                    _at++;
                    return d;
                }

                if (Value() is not string key)
                {
                    throw new FormatException("a key is not a string.");
                }

                Skip();
                Expect(':');
                d[key] = Value();
                Skip();
                if (Peek() == ',')
                {
                    _at++;
                }
                else if (Peek() != '}')
                {
                    throw new FormatException("expected ',' or '}'.");
                }
            }
        }

        private List<object?> Sequence(char close)
        {
            _at++;
            var items = new List<object?>();
            while (true)
            {
                Skip();
                if (Peek() == close)
                {
                    _at++;
                    return items;
                }

                items.Add(Value());
                Skip();
                if (Peek() == ',')
                {
                    _at++;
                }
                else if (Peek() != close)
                {
                    throw new FormatException($"expected ',' or '{close}'.");
                }
            }
        }

        private string Str()
        {
            char quote = text[_at++];
            var sb = new StringBuilder();
            while (true)
            {
                if (_at >= text.Length)
                {
                    throw new FormatException("a string is not closed.");
                }

                char c = text[_at++];
                if (c == quote)
                {
                    return sb.ToString();
                }

                if (c == '\\' && _at < text.Length)
                {
                    c = text[_at++];
                }

                sb.Append(c);
            }
        }

        private long Int()
        {
            int start = _at;
            if (text[_at] == '-')
            {
                _at++;
            }

            while (_at < text.Length && char.IsAsciiDigit(text[_at]))
            {
                _at++;
            }

            if (!long.TryParse(text.AsSpan(start, _at - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
            {
                throw new FormatException("a number is out of range.");
            }

            if (_at < text.Length && text[_at] is 'L' or 'l')
            {
                _at++;
            }

            return v;
        }

        private string Word()
        {
            int start = _at;
            while (_at < text.Length && char.IsAsciiLetter(text[_at]))
            {
                _at++;
            }

            return _at == start ? text[_at].ToString() : text[start.._at];
        }

        private char Peek() => _at < text.Length ? text[_at] : throw new FormatException("it ends early.");

        private void Expect(char c)
        {
            if (Peek() != c)
            {
                throw new FormatException($"expected '{c}'.");
            }

            _at++;
        }

        private void Skip()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }
    }
}
