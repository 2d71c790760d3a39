using System.IO.Compression;
using System.Text;
using GpuEnet.Kernels;

namespace GpuEnet.Host.Data;

/// <summary>
/// Reader of delimited text with a header (CSV, TSV, optionally gzip-compressed). A plain file is split at line ends
/// into one part per core, read with positioned reads and parsed in parallel; gzip data and pipes are one stream
/// parsed on one core. Cells are parsed straight from the UTF-8 bytes (<see cref="CsvRows"/>: delimiters found 32
/// bytes at a time, numbers by <see cref="FastDouble"/>, rounded exactly as <c>double.Parse</c>); rows are stored
/// row-major in growing blocks (the row count is unknown) and transposed once, on every core, into the column-major
/// matrix, so the peak is about twice the bytes of the final float64 matrix. The parts are joined in file order, so
/// errors, row numbers and dropped rows are those of a sequential read.
/// </summary>
/// <remarks>
/// Quoted fields (<c>"a,b"</c>, <c>""</c> for a quote) are accepted in the header and in data rows, but may not span
/// lines. Blank lines are skipped (they are not data rows). Missing cells: empty, <c>NA</c>, <c>N/A</c>, <c>NaN</c>.
/// </remarks>
internal static class CsvTableReader
{
    private const int TargetRole = CsvRows.TargetRole;
    private const int WeightsRole = CsvRows.WeightsRole;
    private const int SkipRole = CsvRows.SkipRole;

    public static Dataset Read(DataRequest request, byte delimiter, bool gzip, TargetVector? externalTarget)
    {
        string file = request.Path;
        using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (!gzip)
        {
            // A regular file is parsed on every core; a pipe or an empty file is read as a stream.
            return fs.CanSeek && fs.Length > 0 && !ForceStream.Value
                ? ReadParallel(request, fs, delimiter, externalTarget, Environment.ProcessorCount)
                : ReadCore(request, fs, delimiter, externalTarget);
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

    /// <summary>Tests: read plain files as a stream on one core, as gzip data is (flows to the threads of the caller's context).</summary>
    internal static readonly AsyncLocal<bool> ForceStream = new();

    /// <summary>Tests: split a plain file into this many parts whatever its size (at most one per line).</summary>
    internal static readonly AsyncLocal<int?> ForceParts = new();

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

        var layout = ReadHeader(request, headerLine, delimiter, externalTarget);
        var rows = new CsvRows(layout, firstLine: 2);
        while (reader.TryReadLine(out var line) && rows.Line(line))
        {
        }

        return Finish(request, layout, [rows], externalTarget);
    }

    /// <summary>
    /// A plain file: split at line ends into one part per core, the parts read (positioned reads, no mapping: the
    /// resident set stays that of the matrix) and parsed in parallel, and joined in file order — errors too: the first
    /// bad line of the file is the one reported, as a sequential read would.
    /// </summary>
    private static Dataset ReadParallel(DataRequest request, FileStream fs, byte delimiter, TargetVector? externalTarget, int parts)
    {
        string file = request.Path;
        var handle = fs.SafeFileHandle;
        long length = fs.Length;
        var headerReader = new ByteLineReader(new FileRegionStream(handle, 0, length));
        headerReader.TryReadLine(out var headerLine);
        var layout = ReadHeader(request, headerLine, delimiter, externalTarget);
        long dataStart = headerReader.Position;

        // Part boundaries: the start of the line after each equal share of the bytes (parts hold whole lines).
        long body = length - dataStart;
        int count = (int)Math.Max(1, Math.Min(parts, body / MinPartBytes));
        count = ForceParts.Value ?? count;
        var starts = new List<long> { dataStart };
        for (int k = 1; k < count; k++)
        {
            long next = NextLineStart(handle, Math.Max(dataStart + (body * k / count), starts[^1]), length);
            if (next > starts[^1] && next < length)
            {
                starts.Add(next);
            }
        }

        starts.Add(length);
        var results = new CsvRows[starts.Count - 1];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parts) }, k =>
        {
            var rows = new CsvRows(layout, firstLine: 0);
            var reader = new ByteLineReader(new FileRegionStream(handle, starts[k], starts[k + 1]));
            while (reader.TryReadLine(out var line) && rows.Line(line))
            {
            }

            results[k] = rows;
        });

        long firstLine = 2;
        foreach (var part in results)
        {
            part.FirstLine = firstLine;
            firstLine += part.Lines;
        }

        return Finish(request, layout, results, externalTarget);
    }

    /// <summary>Where the line after the one holding byte <paramref name="from"/> starts (the file's length when none does).</summary>
    private static long NextLineStart(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long from, long length)
    {
        var window = new byte[1 << 16];
        long at = from;
        while (at < length)
        {
            int read = RandomAccess.Read(handle, window, at);
            if (read <= 0)
            {
                break;
            }

            int k = window.AsSpan(0, read).IndexOfAny((byte)'\n', (byte)'\r');
            if (k >= 0)
            {
                long next = at + k + 1;
                if (window[k] == (byte)'\r' && next < length)
                {
                    // CR LF is one line end; read the byte after the CR even when it lies past the window.
                    Span<byte> one = stackalloc byte[1];
                    if (RandomAccess.Read(handle, one, next) == 1 && one[0] == (byte)'\n')
                    {
                        next++;
                    }
                }

                return next;
            }

            at += read;
        }

        return length;
    }

    // Parts smaller than this are not worth a thread.
    private const long MinPartBytes = 1 << 16;

    /// <summary>Reads the header line and decides each column's role.</summary>
    private static CsvLayout ReadHeader(DataRequest request, ReadOnlySpan<byte> headerLine, byte delimiter, TargetVector? externalTarget)
    {
        string file = request.Path;
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

        return new CsvLayout(file, delimiter, header, roles, features, wantTarget, weightsColumn >= 0)
        {
            Labels = request.TextLabels && externalTarget is null && wantTarget ? new TargetLabels() : null,
        };
    }

    /// <summary>
    /// Joins the parts in file order: reports the first bad line, applies a target file, drops rows without a target
    /// (or weight), and transposes the kept rows into the column-major matrix.
    /// </summary>
    private static Dataset Finish(DataRequest request, CsvLayout layout, CsvRows[] parts, TargetVector? externalTarget)
    {
        string file = layout.File;
        int p = layout.Features.Count;
        int dataRows = 0;
        foreach (var part in parts)
        {
            if (part.Error is { } error)
            {
                // A sequential read stops at whichever comes first: this line, or the row past the target file's end.
                if (externalTarget is not null && dataRows + error.DataRow > externalTarget.Values.Length + 1)
                {
                    throw LengthMismatch(file, externalTarget, null);
                }

                CsvRows.Throw(layout, error.Text, part.FirstLine + error.Line - 1);
            }

            dataRows += part.DataRows;
        }

        if (externalTarget is not null && dataRows != externalTarget.Values.Length)
        {
            throw LengthMismatch(file, externalTarget, dataRows > externalTarget.Values.Length ? null : dataRows);
        }

        if (dataRows == 0)
        {
            throw DataErrors.File(file, "has a header but no data rows.");
        }

        bool keepAll = request.KeepRowsWithoutTarget;
        var y = new List<double>();
        var w = layout.HasWeights ? new List<double>() : null;
        var sourceRows = new List<int>(dataRows);
        var rowRefs = new List<(double[] Block, int Offset)>(dataRows);
        var missing = new List<int>?[p];
        int dropped = 0, before = 0;
        foreach (var part in parts)
        {
            var keptAs = new int[part.DataRows];
            for (int r = 0; r < part.DataRows; r++)
            {
                int dataRow = before + r + 1;
                double target = externalTarget is not null ? externalTarget.Values[dataRow - 1] : part.Targets[r];
                double weight = w is null ? 1 : part.Weights[r];
                if (layout.WantTarget && !keepAll && (double.IsNaN(target) || double.IsNaN(weight)))
                {
                    dropped++;
                    keptAs[r] = -1;
                    continue;
                }

                keptAs[r] = sourceRows.Count;
                if (layout.WantTarget)
                {
                    y.Add(target);
                    w?.Add(weight);
                }

                sourceRows.Add(dataRow);
                rowRefs.Add(part.RowAt(r));
            }

            foreach (long cell in part.MissingCells)
            {
                int kept = keptAs[(int)(cell >> 32)];
                if (kept >= 0)
                {
                    (missing[(int)(uint)cell] ??= []).Add(kept);
                }
            }

            before += part.DataRows;
        }

        int n = sourceRows.Count;
        if (n == 0)
        {
            throw DataErrors.File(file, $"has no row with a target{(w is null ? "" : " and a weight")} ({dropped} rows were dropped as missing).");
        }

        bool anyMissing = Array.Exists(missing, m => m is not null);
        IColumnSource x = Transpose(rowRefs, p, request.Precision == Precision.Float32 && !anyMissing, file, layout.Features, sourceRows);
        if (x is DenseMatrix dense && anyMissing)
        {
            var lists = new int[p][];
            for (int f = 0; f < p; f++)
            {
                lists[f] = missing[f]?.ToArray() ?? [];
            }

            dense.WithMissing(lists);
        }

        double[] targetValues = layout.WantTarget ? [.. y] : [];
        layout.Labels?.Recode(targetValues);
        return new Dataset
        {
            Features = [.. layout.Features],
            X = x,
            Y = targetValues,
            TargetLabels = layout.Labels?.Sorted,
            Weights = w is null ? null : [.. w],
            Target = TargetVector.Label(request, externalTarget),
            DroppedRows = dropped,
            SourceRows = [.. sourceRows],
            Origin = file,
        };
    }

    /// <summary>
    /// Copies the kept rows (row-major, wherever their part stored them) into one column-major matrix, in tiles of
    /// rows spread over the cores. A float32 cell out of range is reported at its first row, then first column.
    /// </summary>
    private static IColumnSource Transpose(List<(double[] Block, int Offset)> rows, int p, bool single, string file, List<string> names, List<int> sourceRows)
    {
        int n = rows.Count;
        if ((long)n * p > Array.MaxLength)
        {
            throw DataErrors.File(file, $"is too large for one dense matrix ({n} rows × {p} columns).");
        }

        double[]? d = single ? null : GC.AllocateUninitializedArray<double>(n * p);
        float[]? s = single ? GC.AllocateUninitializedArray<float>(n * p) : null;
        const int Tile = 64;
        int tiles = (n + Tile - 1) / Tile;
        long firstBad = long.MaxValue; // row * p + column of the first float32 overflow
        Parallel.For(0, tiles, t =>
        {
            int i0 = t * Tile, i1 = Math.Min(n, i0 + Tile);
            for (int j0 = 0; j0 < p; j0 += Tile)
            {
                int j1 = Math.Min(p, j0 + Tile);
                for (int i = i0; i < i1; i++)
                {
                    var (block, offset) = rows[i];
                    var src = block.AsSpan(offset + j0, j1 - j0);
                    if (d is not null)
                    {
                        for (int j = 0; j < src.Length; j++)
                        {
                            d[((j0 + j) * n) + i] = src[j];
                        }
                    }
                    else
                    {
                        for (int j = 0; j < src.Length; j++)
                        {
                            double v = src[j];
                            if (Math.Abs(v) > float.MaxValue)
                            {
                                long at = ((long)i * p) + j0 + j;
                                long seen;
                                while (at < (seen = Interlocked.Read(ref firstBad)) && Interlocked.CompareExchange(ref firstBad, at, seen) != seen)
                                {
                                }
                            }

                            s![((j0 + j) * n) + i] = (float)v;
                        }
                    }
                }
            }
        });

        if (firstBad != long.MaxValue)
        {
            int i = (int)(firstBad / p), j = (int)(firstBad % p);
            double v = rows[i].Block[rows[i].Offset + j];
            throw DataErrors.AtRow(file, sourceRows[i], names[j],
                $"{v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)} does not fit in float32 (largest ±3.4e38); use --precision float64.");
        }

        return d is not null ? new DenseMatrix(n, p, d) : new DenseMatrix32(n, p, s!);
    }

    internal static double Feature(ReadOnlySpan<byte> cell, string file, long line, string column, List<int> pendingMissing, int feature)
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
    internal static double Special(ReadOnlySpan<byte> cell, string file, long line, string column) =>
        NumberText.Parse(cell, out double v) switch
        {
            CellKind.Number => v,
            CellKind.Missing => double.NaN,
            CellKind.Infinite => throw DataErrors.At(file, line, column, $"the target {DataErrors.Show(cell)} is not a finite number."),
            _ => throw DataErrors.At(file, line, column, $"{DataErrors.Show(cell)} is not a number."),
        };

    /// <summary>Weight cell: NaN when missing; negative or infinite is an error.</summary>
    internal static double Weight(ReadOnlySpan<byte> cell, string file, long line, string column)
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

    internal static Cli.CliException TooManyFields(string file, long line, List<string> header) =>
        DataErrors.At(file, line, header[^1], $"the row has more fields than the {header.Count} header columns (extra fields after the last column).");

    internal static Cli.CliException TooFewFields(string file, long line, List<string> header, int found) =>
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
