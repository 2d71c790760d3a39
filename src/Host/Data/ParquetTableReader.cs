using System.Buffers;
using System.Globalization;
using System.Numerics;
using GpuEnet.Host.Cli;
using GpuEnet.Kernels;
using Parquet;
using Parquet.Schema;

namespace GpuEnet.Host.Data;

/// <summary>
/// Reads a Parquet file (Parquet.Net) into a <see cref="Dataset"/>: top-level numeric columns (float64, float32, 8- to
/// 64-bit integers, decimal, boolean as 0/1) are features, the target and weights columns are chosen by name as in a CSV,
/// a null (or NaN) feature cell is a missing value, and a row whose target or weight is null or NaN is dropped and counted.
/// </summary>
/// <remarks>
/// Memory: the row groups are streamed, and only the columns that are needed are decoded (features, target, weights;
/// with <see cref="DataRequest.Keep"/> only the kept ones). A first pass decodes the target and weights columns, which
/// fixes the kept rows; the second decodes each feature column of each row group into one rented buffer of that row
/// group's length and copies it into its place in the column-major matrix. The peak is therefore the matrix plus one
/// column of one row group (plus Parquet.Net's buffers for that column chunk). With <c>--precision float32</c> the matrix
/// is decoded in float64 and narrowed when it has no missing cell (the float32 contract has none), so the peak is then
/// the float64 matrix plus the float32 one.
/// </remarks>
internal static class ParquetTableReader
{
    /// <summary>
    /// Parquet.Net keeps freed page streams in a RecyclableMemoryStream pool that is unbounded by default; a few column
    /// chunks' worth is all that one column at a time needs.
    /// </summary>
    private static readonly ParquetOptions s_options = new() { MaximumSmallPoolFreeBytes = 8 << 20, MaximumLargePoolFreeBytes = 32 << 20 };

    /// <summary>Reads the file; see the class summary.</summary>
    /// <exception cref="CliException">On a file that is not Parquet, a needed column that is not numeric or is nested, an unknown column name, a non-finite value, or a target file of the wrong length.</exception>
    public static Dataset Read(DataRequest request, TargetVector? externalTarget)
    {
        try
        {
            return ReadAsync(request, externalTarget).GetAwaiter().GetResult();
        }
        catch (CliException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException or FormatException or OverflowException)
        {
            // Parquet.Net reports a damaged or foreign file with exceptions of these kinds; the user needs one sentence.
            throw DataErrors.File(request.Path, $"could not be read as Parquet ({FirstSentence(e.Message)}).");
        }
    }

    private static async Task<Dataset> ReadAsync(DataRequest request, TargetVector? externalTarget)
    {
        string file = request.Path;
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        if (stream.Length < 12 || !HasMagic(stream))
        {
            throw DataErrors.File(file, "is not a Parquet file (it does not begin and end with the bytes 'PAR1').");
        }

        var reader = await ParquetReader.CreateAsync(stream, s_options, leaveStreamOpen: true).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var fields = reader.Schema.Fields;
        var names = fields.Select(f => f.Name).ToList();
        CheckUniqueNames(names, file);

        bool wantTarget = request.Target is not null || externalTarget is not null;
        int targetColumn = -1, weightsColumn = -1;
        if (request.Target is not null && externalTarget is null)
        {
            targetColumn = FindColumn(names, request.Target, file, "target");
        }

        if (wantTarget && request.WeightsColumn is not null)
        {
            weightsColumn = FindColumn(names, request.WeightsColumn, file, "weights");
            if (weightsColumn == targetColumn)
            {
                throw DataErrors.File(file, $"cannot use column '{DataErrors.Printable(request.WeightsColumn)}' as both the target and the weights.");
            }
        }

        var skip = new HashSet<int>();
        foreach (string name in request.Ignore ?? [])
        {
            int c = FindColumn(names, name, file, "--ignore");
            if (c == targetColumn || c == weightsColumn)
            {
                throw DataErrors.File(file, $"column '{DataErrors.Printable(name)}' is the target or weights column; --ignore cannot name it.");
            }

            skip.Add(c);
        }

        if (request.Keep is { } keep)
        {
            var wanted = new HashSet<string>(keep, StringComparer.Ordinal);
            for (int c = 0; c < names.Count; c++)
            {
                if (!wanted.Contains(names[c]) && c != targetColumn && c != weightsColumn)
                {
                    skip.Add(c);
                }
            }
        }

        var featureColumns = new List<int>();
        for (int c = 0; c < fields.Count; c++)
        {
            if (c == targetColumn || c == weightsColumn || skip.Contains(c))
            {
                continue;
            }

            featureColumns.Add(c);
        }

        foreach (int c in featureColumns.Append(targetColumn).Append(weightsColumn).Where(c => c >= 0))
        {
            Numeric(fields[c], file);
        }

        int groups = reader.RowGroupCount;
        var groupRows = new int[groups];
        long total = 0;
        for (int g = 0; g < groups; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            groupRows[g] = checked((int)rg.RowCount);
            total += rg.RowCount;
        }

        if (total == 0)
        {
            throw DataErrors.File(file, "has no data rows.");
        }

        if (total > Array.MaxLength)
        {
            throw DataErrors.File(file, $"has {total} rows; at most {Array.MaxLength} are supported.");
        }

        int rows = (int)total;
        if (externalTarget is not null && externalTarget.Values.Length != rows)
        {
            throw new CliException(
                $"Target file '{externalTarget.File}' has {externalTarget.Values.Length} values but '{file}' has {rows} data rows; they must match.");
        }

        // Pass 1: target and weights fix the kept rows.
        double[] y = [];
        double[]? w = null;
        if (wantTarget)
        {
            y = externalTarget is not null ? (double[])externalTarget.Values.Clone() : await ReadWholeColumn(reader, groupRows, (DataField)fields[targetColumn]).ConfigureAwait(false);
            if (targetColumn >= 0)
            {
                CheckFinite(y, file, names[targetColumn], "the target");
            }

            if (weightsColumn >= 0)
            {
                w = await ReadWholeColumn(reader, groupRows, (DataField)fields[weightsColumn]).ConfigureAwait(false);
                for (int i = 0; i < rows; i++)
                {
                    if (w[i] < 0 || double.IsInfinity(w[i]))
                    {
                        throw DataErrors.AtRow(file, i + 1, names[weightsColumn], $"the weight {w[i].ToString("G6", CultureInfo.InvariantCulture)} is {(w[i] < 0 ? "negative" : "not finite")}.");
                    }
                }
            }
        }

        var keptIndex = new int[rows]; // data row → kept row, −1 when dropped
        var sourceRows = new List<int>(rows);
        int dropped = 0;
        for (int i = 0; i < rows; i++)
        {
            if (wantTarget && (double.IsNaN(y[i]) || (w is not null && double.IsNaN(w[i]))))
            {
                keptIndex[i] = -1;
                dropped++;
                continue;
            }

            keptIndex[i] = sourceRows.Count;
            sourceRows.Add(i + 1);
        }

        int n = sourceRows.Count;
        if (n == 0)
        {
            throw DataErrors.File(file, $"has no row with a target{(w is null ? "" : " and a weight")} ({dropped} rows were dropped as missing).");
        }

        int p = featureColumns.Count;
        if ((long)n * p > Array.MaxLength)
        {
            throw DataErrors.File(file, $"is too large for one dense matrix ({n} rows × {p} columns).");
        }

        // Pass 2: each feature column of each row group, decoded once into a rented buffer and scattered to its rows.
        double[] x = GC.AllocateUninitializedArray<double>(n * p);
        var missing = new List<int>?[p];
        double[] buffer = ArrayPool<double>.Shared.Rent(Math.Max(1, groupRows.Max()));
        var garbage = new GarbageBound((long)n * p * sizeof(double));
        try
        {
            int first = 0;
            for (int g = 0; g < groups; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                int count = groupRows[g];
                for (int f = 0; f < p; f++)
                {
                    var field = (DataField)fields[featureColumns[f]];
                    await ReadColumn(rg, field, buffer.AsMemory(0, count)).ConfigureAwait(false);
                    Span<double> column = x.AsSpan(f * n, n);
                    for (int r = 0; r < count; r++)
                    {
                        int k = keptIndex[first + r];
                        if (k < 0)
                        {
                            continue;
                        }

                        double v = buffer[r];
                        if (double.IsNaN(v))
                        {
                            (missing[f] ??= []).Add(k);
                            v = 0;
                        }
                        else if (double.IsInfinity(v))
                        {
                            throw DataErrors.AtRow(file, first + r + 1, field.Name, "the value is not finite.");
                        }

                        column[k] = v;
                    }

                    garbage.Check();
                }

                first += count;
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }

        bool anyMissing = Array.Exists(missing, m => m is not null);
        IColumnSource matrix;
        if (request.Precision == Precision.Float32 && !anyMissing)
        {
            matrix = Narrow(x, n, p, file, featureColumns.Select(c => names[c]).ToList(), sourceRows);
        }
        else
        {
            var dense = new DenseMatrix(n, p, x);
            if (anyMissing)
            {
                dense.WithMissing([.. missing.Select(m => m?.ToArray() ?? [])]);
            }

            matrix = dense;
        }

        return new Dataset
        {
            Features = [.. featureColumns.Select(c => names[c])],
            X = matrix,
            Y = wantTarget ? [.. Enumerable.Range(0, rows).Where(i => keptIndex[i] >= 0).Select(i => y[i])] : [],
            Weights = w is null ? null : [.. Enumerable.Range(0, rows).Where(i => keptIndex[i] >= 0).Select(i => w[i])],
            Target = TargetVector.Label(request, externalTarget),
            DroppedRows = dropped,
            SourceRows = [.. sourceRows],
            Origin = file,
        };
    }

    /// <summary>
    /// Parquet.Net allocates fresh arrays for every column chunk it decodes (pages, definition levels, values: about
    /// four times the chunk's decoded size), all of them garbage once the chunk is copied out. They are large-object-heap
    /// arrays, which the GC collects only with generation 2, so left alone they pile up before a collection (measured:
    /// 393 MiB allocated to decode a 91 MiB matrix; peak 1.6× the matrix above the start-up footprint). A blocking,
    /// non-compacting collection whenever an eighth of the matrix (at least 8 MiB) has been allocated since the last one
    /// bounds that garbage (peak 1.25–1.31× with it); it traces only the matrix and a few arrays of numbers.
    /// </summary>
    private sealed class GarbageBound(long matrixBytes)
    {
        private readonly long _budget = Math.Max(8L << 20, matrixBytes / 8);
        private long _last = GC.GetTotalAllocatedBytes();

        public void Check()
        {
            long now = GC.GetTotalAllocatedBytes();
            if (now - _last > _budget)
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
                _last = GC.GetTotalAllocatedBytes();
            }
        }
    }

    private static bool HasMagic(FileStream stream)
    {
        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[4];
        stream.Position = 0;
        stream.ReadExactly(head);
        stream.Position = stream.Length - 4;
        stream.ReadExactly(tail);
        stream.Position = 0;
        return head.SequenceEqual("PAR1"u8) && tail.SequenceEqual("PAR1"u8);
    }

    /// <summary>One whole column (all row groups) as float64, NaN where null.</summary>
    private static async Task<double[]> ReadWholeColumn(ParquetReader reader, int[] groupRows, DataField field)
    {
        var values = new double[groupRows.Sum()];
        int first = 0;
        for (int g = 0; g < groupRows.Length; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            await ReadColumn(rg, field, values.AsMemory(first, groupRows[g])).ConfigureAwait(false);
            first += groupRows[g];
        }

        return values;
    }

    /// <summary>One column of one row group as float64 into <paramref name="destination"/> (its length), NaN where null.</summary>
    private static Task ReadColumn(ParquetRowGroupReader rg, DataField field, Memory<double> destination)
    {
        Type t = field.ClrType;
        return t == typeof(double) ? Read<double>(rg, field, destination)
            : t == typeof(float) ? Read<float>(rg, field, destination)
            : t == typeof(int) ? Read<int>(rg, field, destination)
            : t == typeof(long) ? Read<long>(rg, field, destination)
            : t == typeof(short) ? Read<short>(rg, field, destination)
            : t == typeof(sbyte) ? Read<sbyte>(rg, field, destination)
            : t == typeof(byte) ? Read<byte>(rg, field, destination)
            : t == typeof(ushort) ? Read<ushort>(rg, field, destination)
            : t == typeof(uint) ? Read<uint>(rg, field, destination)
            : t == typeof(ulong) ? Read<ulong>(rg, field, destination)
            : t == typeof(decimal) ? Read<decimal>(rg, field, destination)
            : t == typeof(bool) ? ReadBool(rg, field, destination)
            : throw new NotSupportedException($"column type {t.Name}");
    }

    private static async Task Read<T>(ParquetRowGroupReader rg, DataField field, Memory<double> destination)
        where T : struct, INumberBase<T>
    {
        int count = destination.Length;
        if (field.IsNullable)
        {
            T?[] values = ArrayPool<T?>.Shared.Rent(Math.Max(1, count));
            try
            {
                await rg.ReadAsync<T>(field, values.AsMemory(0, count)).ConfigureAwait(false);
                Span<double> d = destination.Span;
                for (int i = 0; i < count; i++)
                {
                    d[i] = values[i] is { } v ? double.CreateTruncating(v) : double.NaN;
                }
            }
            finally
            {
                ArrayPool<T?>.Shared.Return(values);
            }
        }
        else if (typeof(T) == typeof(double))
        {
            // Non-nullable float64: decoded straight into place.
            await rg.ReadAsync<double>(field, destination).ConfigureAwait(false);
        }
        else
        {
            T[] values = ArrayPool<T>.Shared.Rent(Math.Max(1, count));
            try
            {
                await rg.ReadAsync<T>(field, values.AsMemory(0, count)).ConfigureAwait(false);
                Span<double> d = destination.Span;
                for (int i = 0; i < count; i++)
                {
                    d[i] = double.CreateTruncating(values[i]);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(values);
            }
        }
    }

    private static async Task ReadBool(ParquetRowGroupReader rg, DataField field, Memory<double> destination)
    {
        int count = destination.Length;
        bool?[] values = ArrayPool<bool?>.Shared.Rent(Math.Max(1, count));
        try
        {
            if (field.IsNullable)
            {
                await rg.ReadAsync<bool>(field, values.AsMemory(0, count)).ConfigureAwait(false);
            }
            else
            {
                bool[] plain = ArrayPool<bool>.Shared.Rent(Math.Max(1, count));
                try
                {
                    await rg.ReadAsync<bool>(field, plain.AsMemory(0, count)).ConfigureAwait(false);
                    for (int i = 0; i < count; i++)
                    {
                        values[i] = plain[i];
                    }
                }
                finally
                {
                    ArrayPool<bool>.Shared.Return(plain);
                }
            }

            Span<double> d = destination.Span;
            for (int i = 0; i < count; i++)
            {
                d[i] = values[i] is { } v ? (v ? 1 : 0) : double.NaN;
            }
        }
        finally
        {
            ArrayPool<bool?>.Shared.Return(values);
        }
    }

    /// <summary>A needed column must be a top-level, non-repeated numeric (or boolean) column.</summary>
    private static void Numeric(Field field, string file)
    {
        if (field is not DataField data || data.IsArray)
        {
            throw DataErrors.File(file, $"column '{DataErrors.Printable(field.Name)}' is nested or repeated ({field.SchemaType}); only flat numeric columns can be read (name it in --ignore to skip it).");
        }

        Type t = data.ClrType;
        bool ok = t == typeof(double) || t == typeof(float) || t == typeof(int) || t == typeof(long) || t == typeof(short)
            || t == typeof(sbyte) || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong)
            || t == typeof(decimal) || t == typeof(bool);
        if (!ok)
        {
            throw DataErrors.File(file, $"column '{DataErrors.Printable(field.Name)}' holds {t.Name} values, not numbers (name it in --ignore to skip it).");
        }
    }

    private static void CheckFinite(double[] values, string file, string column, string what)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (double.IsInfinity(values[i]))
            {
                throw DataErrors.AtRow(file, i + 1, column, $"{what} is not finite.");
            }
        }
    }

    private static DenseMatrix32 Narrow(double[] x, int n, int p, string file, List<string> names, List<int> sourceRows)
    {
        var s = GC.AllocateUninitializedArray<float>(n * p);
        for (int i = 0; i < s.Length; i++)
        {
            double v = x[i];
            if (Math.Abs(v) > float.MaxValue)
            {
                throw DataErrors.AtRow(file, sourceRows[i % n], names[i / n],
                    $"{v.ToString("G6", CultureInfo.InvariantCulture)} does not fit in float32 (largest ±3.4e38); use --precision float64.");
            }

            s[i] = (float)v;
        }

        return new DenseMatrix32(n, p, s);
    }

    private static int FindColumn(List<string> names, string name, string file, string what)
    {
        int c = names.IndexOf(name);
        return c >= 0 ? c : throw DataErrors.File(file, $"has no {what} column named '{DataErrors.Printable(name)}'; its columns are {DataErrors.List(names)}.");
    }

    private static void CheckUniqueNames(List<string> names, string file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!seen.Add(name))
            {
                throw DataErrors.File(file, $"has two columns named '{DataErrors.Printable(name)}'; column names must be unique.");
            }
        }
    }

    private static string FirstSentence(string message)
    {
        string line = message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
        return line.Length > 160 ? line[..160] + "…" : line;
    }
}
