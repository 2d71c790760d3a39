using System.Buffers.Text;
using System.IO.Compression;
using System.Text;
using GpuEnet.Kernels;

namespace GpuEnet.Host.Data;

/// <summary>
/// Streaming reader of delimited text with a header (CSV, TSV, optionally gzip-compressed). Cells are parsed straight
/// from the UTF-8 bytes; rows are stored row-major in fixed-size chunks while reading (the row count is unknown) and
/// transposed once into the column-major matrix at the end, each chunk released as soon as it is copied, so the peak
/// is about twice the bytes of the final float64 matrix.
/// </summary>
/// <remarks>
/// Quoted fields (<c>"a,b"</c>, <c>""</c> for a quote) are accepted in the header and in data rows, but may not span
/// lines. Blank lines are skipped (they are not data rows). Missing cells: empty, <c>NA</c>, <c>N/A</c>, <c>NaN</c>.
/// </remarks>
internal static class CsvTableReader
{
    private const int TargetRole = -1;
    private const int WeightsRole = -2;
    private const int SkipRole = -3;

    // Doubles per row-major chunk (8 MiB): large enough to amortise, small enough to keep the transpose peak tight.
    private const int ChunkValues = 1 << 20;

    public static Dataset Read(DataRequest request, byte delimiter, bool gzip, TargetVector? externalTarget)
    {
        string file = request.Path;
        using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (!gzip)
        {
            return ReadCore(request, fs, delimiter, externalTarget);
        }

        using var inflated = new CountingStream(new GZipStream(fs, CompressionMode.Decompress));
        try
        {
            Dataset result;
            try
            {
                result = ReadCore(request, inflated, delimiter, externalTarget);
            }
            catch (Cli.CliException)
            {
                // A row cut short by a truncated file reads as a ragged row: report the truncation, the real cause.
                inflated.CopyTo(Stream.Null);
                CheckGzipEnd(fs, inflated.Count, file);
                throw;
            }

            inflated.CopyTo(Stream.Null);
            CheckGzipEnd(fs, inflated.Count, file);
            return result;
        }
        catch (InvalidDataException)
        {
            throw DataErrors.File(file, "is not valid gzip data (corrupt, or not gzip-compressed); 'gzip -t' checks it.");
        }
    }

    // The BGZF end-of-file block (bgzip): an empty gzip member, after which the last member's size says nothing.
    private static ReadOnlySpan<byte> BgzfEof =>
    [
        0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
        0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    /// <summary>
    /// .NET's gzip reader ends silently where a truncated file ends. A complete file ends with its last member's
    /// trailer, whose last four bytes are the uncompressed size mod 2³²: for a single-member file (what gzip writes)
    /// it must equal what was decompressed. A BGZF file (bgzip) ends with its fixed empty block instead.
    /// </summary>
    private static void CheckGzipEnd(FileStream fs, long inflated, string file)
    {
        if (!fs.CanSeek)
        {
            return;
        }

        long length = fs.Length;
        Span<byte> tail = stackalloc byte[28];
        if (length >= 28)
        {
            fs.Seek(length - 28, SeekOrigin.Begin);
            fs.ReadExactly(tail);
            if (tail.SequenceEqual(BgzfEof))
            {
                return;
            }
        }

        if (length < 18)
        {
            throw DataErrors.File(file, "is truncated: too short to be complete gzip data ('gzip -t' checks it).");
        }

        uint size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(tail[24..]);
        if (size != (uint)inflated)
        {
            throw DataErrors.File(file,
                $"is truncated or damaged: its gzip trailer does not match the {inflated} bytes it decompresses to ('gzip -t' checks it; a concatenation of several gzip files is not supported).");
        }
    }

    /// <summary>What a file that is not delimited text looks like, from its first bytes, or null when it looks like text.</summary>
    internal static string? DescribeBinary(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]))
        {
            return "is gzip-compressed; name it .csv.gz (or .tsv.gz) to have it decompressed";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']))
        {
            return "is a NumPy .npy file; name it .npy";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x6c, 0x1b]))
        {
            return "is a PLINK .bed file; name it .bed (with its .bim and .fam beside it)";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xff, 0xfe]) || head.StartsWith((ReadOnlySpan<byte>)[0xfe, 0xff]))
        {
            return "is UTF-16 text; save it as UTF-8";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[(byte)'P', (byte)'K', 0x03, 0x04]))
        {
            return "is a ZIP archive (an Excel .xlsx?); export it as CSV";
        }

        if (head.IndexOf((byte)0) >= 0)
        {
            return "holds NUL bytes, so it is binary data or UTF-16 text, not UTF-8 delimited text";
        }

        return null;
    }

    private static Dataset ReadCore(DataRequest request, Stream stream, byte delimiter, TargetVector? externalTarget)
    {
        string file = request.Path;
        var reader = new ByteLineReader(stream);
        if (!reader.TryReadLine(out var headerLine))
        {
            throw DataErrors.File(file, "is empty (a header line naming the columns is required).");
        }

        if (DescribeBinary(headerLine[..Math.Min(headerLine.Length, 4096)]) is { } binary)
        {
            throw DataErrors.File(file, binary + '.');
        }

        if (headerLine.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            headerLine = headerLine[3..];
        }

        if (headerLine.Trim((byte)' ').IsEmpty)
        {
            throw DataErrors.At(file, 1, null, "the header line is empty (a header naming the columns is required).");
        }

        var header = new List<string>();
        SplitQuoted(headerLine, delimiter, header, file, 1);
        for (int c = 0; c < header.Count; c++)
        {
            header[c] = header[c].Trim();
        }

        CheckUniqueNames(header, file);

        bool wantTarget = request.Target is not null || externalTarget is not null;
        var labels = request.TextLabels && externalTarget is null ? new TargetLabels() : null;
        int targetColumn = -1, weightsColumn = -1;
        if (request.Target is not null && externalTarget is null)
        {
            targetColumn = FindColumn(header, request.Target, file, "target");
        }

        if (wantTarget && request.WeightsColumn is not null)
        {
            weightsColumn = FindColumn(header, request.WeightsColumn, file, "weights");
            if (weightsColumn == targetColumn)
            {
                throw DataErrors.At(file, 1, request.WeightsColumn, "the same column cannot be both the target and the weights.");
            }
        }

        var skip = new HashSet<int>();
        foreach (string name in request.Ignore ?? [])
        {
            int c = FindColumn(header, name, file, "--ignore");
            if (c == targetColumn || c == weightsColumn)
            {
                throw DataErrors.At(file, 1, name, "--ignore names the target or weights column.");
            }

            skip.Add(c);
        }

        if (request.Keep is { } keep)
        {
            var wanted = new HashSet<string>(keep, StringComparer.Ordinal);
            for (int c = 0; c < header.Count; c++)
            {
                if (!wanted.Contains(header[c]) && c != targetColumn && c != weightsColumn)
                {
                    skip.Add(c);
                }
            }
        }

        int width = header.Count;
        var roles = new int[width];
        var features = new List<string>(width);
        for (int c = 0; c < width; c++)
        {
            roles[c] = c == targetColumn ? TargetRole : c == weightsColumn ? WeightsRole : skip.Contains(c) ? SkipRole : features.Count;
            if (roles[c] >= 0)
            {
                features.Add(header[c]);
            }
        }

        int p = features.Count;
        int chunkRows = Math.Max(1, ChunkValues / Math.Max(1, p));
        var chunks = new List<double[]?>();
        double[] chunk = new double[(long)chunkRows * p];
        chunks.Add(chunk);
        int rowInChunk = 0;

        var missing = new List<int>?[p];
        var pendingMissing = new List<int>();
        var y = new List<double>();
        var w = weightsColumn >= 0 ? new List<double>() : null;
        var sourceRows = new List<int>();
        var quoted = new List<string>();
        int dataRow = 0, kept = 0, dropped = 0;

        while (reader.TryReadLine(out var line))
        {
            if (line.IsEmpty)
            {
                continue;
            }

            dataRow++;
            long lineNo = reader.LineNumber;
            var row = chunk.AsSpan(rowInChunk * p, p);
            pendingMissing.Clear();
            double target = double.NaN, weight = 1;

            if (line.IndexOf((byte)'"') < 0)
            {
                int c = 0;
                var rest = line;
                while (true)
                {
                    int k = rest.IndexOf(delimiter);
                    var cell = k < 0 ? rest : rest[..k];
                    if (c == width)
                    {
                        throw TooManyFields(file, lineNo, header);
                    }

                    int role = roles[c];
                    if (role >= 0)
                    {
                        // Fast path: a finite number. Everything else (missing, text, ±∞) goes through Classify.
                        // Utf8Parser rounds exactly like double.Parse (checked bit for bit) at about half the cost.
                        if (Utf8Parser.TryParse(cell, out double v, out int used) && used == cell.Length && double.IsFinite(v))
                        {
                            row[role] = v;
                        }
                        else
                        {
                            row[role] = 0;
                            Feature(cell, file, lineNo, header[c], pendingMissing, role);
                        }
                    }
                    else if (role == TargetRole)
                    {
                        target = labels is null ? Special(cell, file, lineNo, header[c]) : labels.Read(cell, file, lineNo, header[c]);
                    }
                    else if (role == WeightsRole)
                    {
                        weight = Weight(cell, file, lineNo, header[c]);
                    }

                    c++;
                    if (k < 0)
                    {
                        break;
                    }

                    rest = rest[(k + 1)..];
                }

                if (c < width)
                {
                    throw TooFewFields(file, lineNo, header, c);
                }
            }
            else
            {
                quoted.Clear();
                SplitQuoted(line, delimiter, quoted, file, lineNo);
                if (quoted.Count > width)
                {
                    throw TooManyFields(file, lineNo, header);
                }

                if (quoted.Count < width)
                {
                    throw TooFewFields(file, lineNo, header, quoted.Count);
                }

                for (int c = 0; c < width; c++)
                {
                    var cell = Encoding.UTF8.GetBytes(quoted[c]);
                    int role = roles[c];
                    if (role >= 0)
                    {
                        row[role] = Feature(cell, file, lineNo, header[c], pendingMissing, role);
                    }
                    else if (role == TargetRole)
                    {
                        target = labels is null ? Special(cell, file, lineNo, header[c]) : labels.Read(cell, file, lineNo, header[c]);
                    }
                    else if (role == WeightsRole)
                    {
                        weight = Weight(cell, file, lineNo, header[c]);
                    }
                }
            }

            if (externalTarget is not null)
            {
                if (dataRow > externalTarget.Values.Length)
                {
                    throw LengthMismatch(file, externalTarget, null);
                }

                target = externalTarget.Values[dataRow - 1];
            }

            if (wantTarget && (double.IsNaN(target) || double.IsNaN(weight)))
            {
                dropped++;
                continue;
            }

            foreach (int f in pendingMissing)
            {
                (missing[f] ??= []).Add(kept);
            }

            if (wantTarget)
            {
                y.Add(target);
                w?.Add(weight);
            }

            sourceRows.Add(dataRow);
            kept++;
            if (++rowInChunk == chunkRows)
            {
                chunk = new double[(long)chunkRows * p];
                chunks.Add(chunk);
                rowInChunk = 0;
            }
        }

        if (externalTarget is not null && dataRow != externalTarget.Values.Length)
        {
            throw LengthMismatch(file, externalTarget, dataRow);
        }

        if (dataRow == 0)
        {
            throw DataErrors.File(file, "has a header but no data rows.");
        }

        if (kept == 0)
        {
            throw DataErrors.File(file, $"has no row with a target{(w is null ? "" : " and a weight")} ({dropped} rows were dropped as missing).");
        }

        bool anyMissing = Array.Exists(missing, m => m is not null);
        IColumnSource x = Transpose(chunks, chunkRows, kept, p, request.Precision == Precision.Float32 && !anyMissing, file, features, sourceRows);
        if (x is DenseMatrix dense && anyMissing)
        {
            var lists = new int[p][];
            for (int f = 0; f < p; f++)
            {
                lists[f] = missing[f]?.ToArray() ?? [];
            }

            dense.WithMissing(lists);
        }

        double[] targetValues = wantTarget ? [.. y] : [];
        labels?.Recode(targetValues);
        return new Dataset
        {
            Features = [.. features],
            X = x,
            Y = targetValues,
            TargetLabels = labels?.Sorted,
            Weights = w is null ? null : [.. w],
            Target = TargetVector.Label(request, externalTarget),
            DroppedRows = dropped,
            SourceRows = [.. sourceRows],
            Origin = file,
        };
    }

    /// <summary>Copies the row-major chunks into one column-major matrix, releasing each chunk once copied.</summary>
    private static IColumnSource Transpose(List<double[]?> chunks, int chunkRows, int n, int p, bool single, string file, List<string> names, List<int> sourceRows)
    {
        if ((long)n * p > Array.MaxLength)
        {
            throw DataErrors.File(file, $"is too large for one dense matrix ({n} rows × {p} columns).");
        }

        double[]? d = single ? null : GC.AllocateUninitializedArray<double>(n * p);
        float[]? s = single ? GC.AllocateUninitializedArray<float>(n * p) : null;
        const int Block = 256;
        for (int k = 0; k < chunks.Count; k++)
        {
            double[] chunk = chunks[k]!;
            chunks[k] = null;
            int first = k * chunkRows;
            int rows = Math.Min(chunkRows, n - first);
            for (int r0 = 0; r0 < rows; r0 += Block)
            {
                int r1 = Math.Min(rows, r0 + Block);
                for (int j = 0; j < p; j++)
                {
                    int dst = (j * n) + first;
                    if (d is not null)
                    {
                        for (int r = r0; r < r1; r++)
                        {
                            d[dst + r] = chunk[(r * p) + j];
                        }
                    }
                    else
                    {
                        for (int r = r0; r < r1; r++)
                        {
                            double v = chunk[(r * p) + j];
                            if (Math.Abs(v) > float.MaxValue)
                            {
                                throw DataErrors.AtRow(file, sourceRows[first + r], names[j],
                                    $"{v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)} does not fit in float32 (largest ±3.4e38); use --precision float64.");
                            }

                            s![dst + r] = (float)v;
                        }
                    }
                }
            }
        }

        return d is not null ? new DenseMatrix(n, p, d) : new DenseMatrix32(n, p, s!);
    }

    private static double Feature(ReadOnlySpan<byte> cell, string file, long line, string column, List<int> pendingMissing, int feature)
    {
        switch (NumberText.Parse(cell, out double v))
        {
            case CellKind.Number:
                return v;
            case CellKind.Missing:
                pendingMissing.Add(feature);
                return 0;
            case CellKind.Infinite:
                throw DataErrors.At(file, line, column, $"{DataErrors.Show(cell)} is not a finite number.");
            default:
                throw DataErrors.At(file, line, column, $"{DataErrors.Show(cell)} is not a number.");
        }
    }

    /// <summary>Target cell: NaN when missing.</summary>
    private static double Special(ReadOnlySpan<byte> cell, string file, long line, string column) =>
        NumberText.Parse(cell, out double v) switch
        {
            CellKind.Number => v,
            CellKind.Missing => double.NaN,
            CellKind.Infinite => throw DataErrors.At(file, line, column, $"the target {DataErrors.Show(cell)} is not a finite number."),
            _ => throw DataErrors.At(file, line, column, $"{DataErrors.Show(cell)} is not a number."),
        };

    /// <summary>Weight cell: NaN when missing; negative or infinite is an error.</summary>
    private static double Weight(ReadOnlySpan<byte> cell, string file, long line, string column)
    {
        var kind = NumberText.Parse(cell, out double v);
        return kind switch
        {
            CellKind.Number when v >= 0 => v,
            CellKind.Number => throw DataErrors.At(file, line, column, $"the weight {DataErrors.Show(cell)} is negative."),
            CellKind.Missing => double.NaN,
            CellKind.Infinite => throw DataErrors.At(file, line, column, $"the weight {DataErrors.Show(cell)} is not finite."),
            _ => throw DataErrors.At(file, line, column, $"{DataErrors.Show(cell)} is not a number."),
        };
    }

    private static Cli.CliException TooManyFields(string file, long line, List<string> header) =>
        DataErrors.At(file, line, header[^1], $"the row has more fields than the {header.Count} header columns (extra fields after the last column).");

    private static Cli.CliException TooFewFields(string file, long line, List<string> header, int found) =>
        DataErrors.At(file, line, header[found], $"the row ends after {found} of the {header.Count} header columns.");

    private static Cli.CliException LengthMismatch(string file, TargetVector target, int? rows) =>
        DataErrors.File(target.File, rows is null
            ? $"has {target.Values.Length} values but '{file}' has more data rows."
            : $"has {target.Values.Length} values but '{file}' has {rows} data rows.");

    private static int FindColumn(List<string> header, string name, string file, string what)
    {
        int c = header.IndexOf(name);
        if (c >= 0)
        {
            return c;
        }

        // One column whose name holds another separator: the file is delimited by something else.
        char? other = header.Count != 1 ? null : header[0].Contains(';', StringComparison.Ordinal) ? ';' : header[0].Contains('\t', StringComparison.Ordinal) ? '\t' : header[0].Contains(',', StringComparison.Ordinal) ? ',' : null;
        string hint = other is { } d ? $" (the header is one column; the file seems separated by {(d == '\t' ? "tabs: name it .tsv" : $"'{d}', which is not supported: use commas or tabs")})" : "";
        throw DataErrors.At(file, 1, name, $"no such {(what.StartsWith('-') ? "column (named by " + what + ")" : what + " column")}; the header has {DataErrors.List(header)}{hint}.");
    }

    private static void CheckUniqueNames(List<string> header, string file)
    {
        var seen = new Dictionary<string, int>(header.Count, StringComparer.Ordinal);
        for (int c = 0; c < header.Count; c++)
        {
            if (header[c].Length == 0)
            {
                throw DataErrors.At(file, 1, null, $"header column {c + 1} has no name.");
            }

            if (!seen.TryAdd(header[c], c))
            {
                throw DataErrors.At(file, 1, header[c], $"the name appears twice (header columns {seen[header[c]] + 1} and {c + 1}).");
            }
        }
    }

    /// <summary>Splits one line honouring double quotes (<c>""</c> inside quotes is a quote); fields are unquoted.</summary>
    internal static void SplitQuoted(ReadOnlySpan<byte> line, byte delimiter, List<string> fields, string file, long lineNo)
    {
        var bytes = new List<byte>();
        int i = 0;
        while (true)
        {
            bytes.Clear();
            while (i < line.Length && line[i] == (byte)' ' && delimiter != (byte)' ')
            {
                i++;
            }

            if (i < line.Length && line[i] == (byte)'"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw DataErrors.At(file, lineNo, null, "a quoted field is not closed on this line.");
                    }

                    if (line[i] == (byte)'"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == (byte)'"')
                        {
                            bytes.Add((byte)'"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    bytes.Add(line[i++]);
                }

                while (i < line.Length && line[i] != delimiter)
                {
                    if (line[i] != (byte)' ')
                    {
                        throw DataErrors.At(file, lineNo, null, "unexpected text after a closing quote.");
                    }

                    i++;
                }
            }
            else
            {
                while (i < line.Length && line[i] != delimiter)
                {
                    bytes.Add(line[i++]);
                }
            }

            fields.Add(Encoding.UTF8.GetString([.. bytes]));
            if (i >= line.Length)
            {
                break;
            }

            i++; // the delimiter
        }
    }

    /// <summary>Counts the bytes read through it, to compare with the gzip trailer.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read = inner.Read(buffer);
            Count += read;
            return read;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
