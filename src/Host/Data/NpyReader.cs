using System.Numerics;
using System.Numerics.Tensors;
using GpuEnet.Kernels;

namespace GpuEnet.Host.Data;

/// <summary>
/// Reads NumPy <c>.npy</c> files: a 2-D float32/float64 design matrix (C or Fortran order) and 1-D target vectors.
/// The file is memory-mapped. A Fortran-order matrix that needs no row dropping and holds no NaN is exposed in place
/// as a <see cref="MappedMatrix"/>; everything else is copied once into a column-major dense matrix, NaN cells becoming
/// declared missing cells (stored as 0).
/// </summary>
/// <remarks>
/// Feature names are <c>x1…xp</c>, or those of the sidecar <c>X.npy.json</c> that <c>gpuenet convert</c> writes (which
/// also stores a target: see <see cref="NpySidecar"/>), else the lines of a names file (<c>X.npy.names</c>, else
/// <c>X.names</c>) when present. Without a target file, <see cref="DataRequest.Target"/> and <see cref="DataRequest.WeightsColumn"/> name
/// columns of the matrix, which are then not features. A float64 Fortran file loaded with
/// <see cref="Precision.Float32"/> is copied into float32; a float32 Fortran file stays mapped whatever the request
/// (widening it to float64 would add storage and no accuracy).
/// </remarks>
internal static unsafe class NpyReader
{
    /// <summary>Reads a 1-D target vector (shape (n,), (n, 1) or (1, n)) as float64, NaN = missing.</summary>
    public static double[] ReadVector(string file)
    {
        var h = NpyHeader.Read(file);
        long n = h.Shape.Length switch
        {
            1 => h.Shape[0],
            2 when h.Shape[0] == 1 || h.Shape[1] == 1 => h.Shape[0] * h.Shape[1],
            _ => throw DataErrors.File(file, $"holds a {h.Shape.Length}-D array; a target file must hold one value per row (a 1-D array)."),
        };
        bool supported = (h.Kind == 'f' && h.ItemSize is 4 or 8) || (h.Kind == 'i' && h.ItemSize is 4 or 8);
        if (!supported)
        {
            throw DataErrors.File(file, $"has the element type '{h.Descr}'; a target must be float32, float64, int32 or int64.");
        }

        if (n > Array.MaxLength || h.DataOffset + (n * h.ItemSize) > new FileInfo(file).Length)
        {
            throw DataErrors.File(file, "is shorter than its header says (truncated .npy file).");
        }

        var bytes = new byte[n * h.ItemSize];
        using (var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            fs.Position = h.DataOffset;
            fs.ReadExactly(bytes);
        }

        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            double v = (h.Kind, h.ItemSize) switch
            {
                ('f', 8) => BitConverter.ToDouble(bytes, i * 8),
                ('f', 4) => BitConverter.ToSingle(bytes, i * 4),
                ('i', 8) => BitConverter.ToInt64(bytes, i * 8),
                _ => BitConverter.ToInt32(bytes, i * 4),
            };
            if (double.IsInfinity(v))
            {
                throw DataErrors.AtRow(file, i + 1, "target", "the target is not finite.");
            }

            values[i] = v;
        }

        return values;
    }

    /// <summary>Reads a 2-D matrix with its target and weights.</summary>
    public static Dataset ReadMatrix(DataRequest request, TargetVector? externalTarget)
    {
        string file = request.Path;
        var h = NpyHeader.Read(file);
        if (h.Shape.Length != 2)
        {
            throw DataErrors.File(file, $"holds a {h.Shape.Length}-D array; a 2-D matrix (rows × features) is needed.");
        }

        if (h.Kind != 'f' || h.ItemSize is not (4 or 8))
        {
            throw DataErrors.File(file, $"has the element type '{h.Descr}'; float32 ('<f4') or float64 ('<f8') is needed.");
        }

        if (h.Shape[0] == 0 || h.Shape[1] == 0 || h.Shape[0] > int.MaxValue || h.Shape[1] > int.MaxValue)
        {
            throw DataErrors.File(file, $"has the unusable shape ({h.Shape[0]}, {h.Shape[1]}).");
        }

        int n = (int)h.Shape[0], stored = (int)h.Shape[1];
        long fileLength = new FileInfo(file).Length;
        if (h.DataOffset + ((long)n * stored * h.ItemSize) > fileLength)
        {
            throw DataErrors.File(file, $"is shorter than its header says ({n} × {stored} of '{h.Descr}'; truncated .npy file).");
        }

        var sidecar = NpySidecar.TryRead(file, n, stored);
        string[] names = sidecar?.Features ?? ReadNames(file, stored);
        if (externalTarget is null && sidecar?.Target is { } storedTarget
            && (request.Target is null ? request.UseStoredTarget : request.Target == sidecar.TargetName && Array.IndexOf(names, request.Target) < 0))
        {
            // The target 'gpuenet convert' stored: used when none is named, or when named and not a column.
            externalTarget = TargetVector.Stored(NpySidecar.PathOf(file), sidecar.TargetName!, storedTarget);
        }

        var view = new MappedFileView(file);
        bool handedOver = false;
        try
        {
            var src = new Source(view.Pointer + h.DataOffset, n, stored, h.FortranOrder, h.ItemSize == 4);
            var result = Build(request, externalTarget, src, names, view, h, out handedOver);
            return result;
        }
        finally
        {
            if (!handedOver)
            {
                view.Dispose();
            }
        }
    }

    private static Dataset Build(DataRequest request, TargetVector? externalTarget, Source src, string[] names, MappedFileView view,
        NpyHeader h, out bool handedOver)
    {
        string file = request.Path;
        handedOver = false;
        int n = src.Rows;
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
                throw DataErrors.File(file, $"cannot use column '{request.WeightsColumn}' as both the target and the weights.");
            }
        }

        double[]? y = null, w = null;
        if (externalTarget is not null)
        {
            y = externalTarget.Values;
            if (y.Length != n)
            {
                throw DataErrors.File(externalTarget.File, $"has {y.Length} values but '{file}' has {n} rows.");
            }
        }
        else if (targetColumn >= 0)
        {
            y = src.ReadColumn(targetColumn);
            int bad = Array.FindIndex(y, double.IsInfinity);
            if (bad >= 0)
            {
                throw DataErrors.AtRow(file, bad + 1, names[targetColumn], "the target is not finite.");
            }
        }

        if (weightsColumn >= 0)
        {
            w = src.ReadColumn(weightsColumn);
            for (int i = 0; i < n; i++)
            {
                if (double.IsInfinity(w[i]) || w[i] < 0)
                {
                    throw DataErrors.AtRow(file, i + 1, names[weightsColumn], $"the weight {w[i]} is {(w[i] < 0 ? "negative" : "not finite")}.");
                }
            }
        }

        var keep = new List<int>(n);
        for (int i = 0; i < n; i++)
        {
            if (y is null || (!double.IsNaN(y[i]) && (w is null || !double.IsNaN(w[i]))))
            {
                keep.Add(i);
            }
        }

        if (keep.Count == 0)
        {
            throw DataErrors.File(file, $"has no row with a target{(w is null ? "" : " and a weight")} ({n} rows were dropped as missing).");
        }

        var skip = new HashSet<int>();
        foreach (string name in request.Ignore ?? [])
        {
            int j = Array.IndexOf(names, name);
            if (j < 0)
            {
                throw DataErrors.File(file, $"has no column named '{name}' (named by --ignore); its columns are {DataErrors.List(names)}.");
            }

            if (j == targetColumn || j == weightsColumn)
            {
                throw DataErrors.File(file, $"column '{name}' is the target or weights column; --ignore cannot name it.");
            }

            skip.Add(j);
        }

        var keepNames = request.Keep is null ? null : new HashSet<string>(request.Keep, StringComparer.Ordinal);
        var featureColumns = new List<int>(src.Columns);
        for (int j = 0; j < src.Columns; j++)
        {
            if (j != targetColumn && j != weightsColumn && !skip.Contains(j) && (keepNames is null || keepNames.Contains(names[j])))
            {
                featureColumns.Add(j);
            }
        }

        int[] kept = [.. keep];
        int[]? map = featureColumns.Count == src.Columns ? null : [.. featureColumns];
        bool allRows = kept.Length == n;
        IColumnSource x;
        if (src.Fortran && allRows && (src.Single || request.Precision == Precision.Float64) && !src.HasNaN(featureColumns, file, names))
        {
            x = new MappedMatrix(view, h.DataOffset, n, src.Columns, map, src.Single);
            handedOver = true;
        }
        else
        {
            x = Copy(src, kept, featureColumns, request.Precision, file, names);
        }

        return new Dataset
        {
            Features = [.. featureColumns.Select(j => names[j])],
            X = x,
            Y = y is null ? [] : [.. kept.Select(i => y[i])],
            Weights = w is null ? null : [.. kept.Select(i => w[i])],
            Target = TargetVector.Label(request, externalTarget),
            DroppedRows = n - kept.Length,
            SourceRows = [.. kept.Select(i => i + 1)],
            Origin = file,
            SourceColumns = src.Columns,
        };
    }

    /// <summary>Copies the kept rows of the feature columns into a column-major matrix; NaN cells become declared missing cells.</summary>
    private static IColumnSource Copy(Source src, int[] kept, List<int> featureColumns, Precision precision, string file, string[] names)
    {
        int n = kept.Length, p = featureColumns.Count;
        if ((long)n * p > Array.MaxLength)
        {
            throw DataErrors.File(file, $"is too large to copy into one dense matrix ({n} rows × {p} columns).");
        }

        var values = GC.AllocateUninitializedArray<double>(n * p);
        if (src.Fortran)
        {
            for (int f = 0; f < p; f++)
            {
                src.Gather(featureColumns[f], kept, values.AsSpan(f * n, n));
            }
        }
        else
        {
            src.TransposeRows(kept, featureColumns, values);
        }

        int[][]? missing = null;
        for (int f = 0; f < p; f++)
        {
            var col = values.AsSpan(f * n, n);
            if (double.IsFinite(TensorPrimitives.Sum<double>(col)))
            {
                continue;
            }

            List<int>? rows = null;
            for (int i = 0; i < n; i++)
            {
                if (double.IsNaN(col[i]))
                {
                    col[i] = 0;
                    (rows ??= []).Add(i);
                }
                else if (double.IsInfinity(col[i]))
                {
                    throw DataErrors.AtRow(file, kept[i] + 1, names[featureColumns[f]], "the value is not finite.");
                }
            }

            if (rows is not null)
            {
                missing ??= Enumerable.Repeat(Array.Empty<int>(), p).ToArray();
                missing[f] = [.. rows];
            }
        }

        var dense = new DenseMatrix(n, p, values);
        if (missing is not null)
        {
            return dense.WithMissing(missing);
        }

        if (precision == Precision.Float32)
        {
            for (int f = 0; f < p; f++)
            {
                var col = values.AsSpan(f * n, n);
                int big = col.IndexOfAnyExceptInRange(-float.MaxValue, float.MaxValue);
                if (big >= 0)
                {
                    throw DataErrors.AtRow(file, kept[big] + 1, names[featureColumns[f]],
                        $"{col[big].ToString("G6", System.Globalization.CultureInfo.InvariantCulture)} does not fit in float32 (largest ±3.4e38); use --precision float64.");
                }
            }

            return DenseMatrix32.FromDouble(dense);
        }

        return dense;
    }

    private static string[] ReadNames(string file, int columns)
    {
        string? sidecar = File.Exists(file + ".names") ? file + ".names" : File.Exists(Path.ChangeExtension(file, ".names")) ? Path.ChangeExtension(file, ".names") : null;
        if (sidecar is null)
        {
            var generated = new string[columns];
            for (int j = 0; j < columns; j++)
            {
                generated[j] = "x" + (j + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return generated;
        }

        var lines = File.ReadAllLines(sidecar).Select(l => l.Trim()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        if (lines.Count != columns)
        {
            throw DataErrors.File(sidecar, $"has {lines.Count} names but '{file}' has {columns} columns.");
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < lines.Count; k++)
        {
            if (lines[k].Length == 0)
            {
                throw DataErrors.At(sidecar, k + 1, null, "the name is empty.");
            }

            if (!seen.TryAdd(lines[k], k))
            {
                throw DataErrors.At(sidecar, k + 1, lines[k], $"the name appears twice (lines {seen[lines[k]] + 1} and {k + 1}).");
            }
        }

        return [.. lines];
    }

    private static int FindColumn(string[] names, string name, string file, string what)
    {
        int j = Array.IndexOf(names, name);
        return j >= 0 ? j : throw DataErrors.File(file, $"has no {what} column named '{name}'; its columns are {DataErrors.List(names)}.");
    }

    /// <summary>The raw elements of a mapped 2-D array.</summary>
    private readonly struct Source(byte* data, int rows, int columns, bool fortran, bool single)
    {
        public int Rows => rows;

        public int Columns => columns;

        public bool Fortran => fortran;

        public bool Single => single;

        public double[] ReadColumn(int j)
        {
            var dst = new double[rows];
            if (fortran)
            {
                Gather(j, null, dst);
            }
            else
            {
                for (int i = 0; i < rows; i++)
                {
                    long at = ((long)i * columns) + j;
                    dst[i] = single ? ((float*)data)[at] : ((double*)data)[at];
                }
            }

            return dst;
        }

        /// <summary>Column j (Fortran order) at the given rows (all when null) into dst.</summary>
        public void Gather(int j, int[]? rowsToRead, Span<double> dst)
        {
            long start = (long)j * rows;
            if (single)
            {
                Gather(new ReadOnlySpan<float>((float*)data + start, rows), rowsToRead, dst);
            }
            else
            {
                Gather(new ReadOnlySpan<double>((double*)data + start, rows), rowsToRead, dst);
            }
        }

        private static void Gather<T>(ReadOnlySpan<T> column, int[]? rowsToRead, Span<double> dst)
            where T : unmanaged, INumberBase<T>
        {
            if (rowsToRead is null || rowsToRead.Length == column.Length)
            {
                TensorPrimitives.ConvertTruncating<T, double>(column, dst);
                return;
            }

            for (int i = 0; i < rowsToRead.Length; i++)
            {
                dst[i] = double.CreateTruncating(column[rowsToRead[i]]);
            }
        }

        /// <summary>C order: copies the kept rows of the chosen columns into column-major dst, in cache-sized tiles.</summary>
        public void TransposeRows(int[] kept, List<int> chosen, double[] dst)
        {
            const int Tile = 64;
            int n = kept.Length, p = chosen.Count;
            for (int i0 = 0; i0 < n; i0 += Tile)
            {
                int i1 = Math.Min(n, i0 + Tile);
                for (int f0 = 0; f0 < p; f0 += Tile)
                {
                    int f1 = Math.Min(p, f0 + Tile);
                    for (int i = i0; i < i1; i++)
                    {
                        long row = (long)kept[i] * columns;
                        for (int f = f0; f < f1; f++)
                        {
                            long at = row + chosen[f];
                            dst[(f * n) + i] = single ? ((float*)data)[at] : ((double*)data)[at];
                        }
                    }
                }
            }
        }

        /// <summary>
        /// True when a chosen column holds NaN (scanned once; a SIMD sum is finite exactly when no NaN/∞ is present,
        /// barring overflow, so only suspicious columns are scanned element by element).
        /// </summary>
        /// <exception cref="Cli.CliException">On an infinite value.</exception>
        public bool HasNaN(List<int> chosen, string file, string[] names)
        {
            bool found = false;
            foreach (int j in chosen)
            {
                long start = (long)j * rows;
                if (single)
                {
                    var col = new ReadOnlySpan<float>((float*)data + start, rows);
                    if (!float.IsFinite(TensorPrimitives.Sum<float>(col)))
                    {
                        found |= Scan(col, j, file, names);
                    }
                }
                else
                {
                    var col = new ReadOnlySpan<double>((double*)data + start, rows);
                    if (!double.IsFinite(TensorPrimitives.Sum<double>(col)))
                    {
                        found |= Scan(col, j, file, names);
                    }
                }
            }

            return found;
        }

        private static bool Scan<T>(ReadOnlySpan<T> col, int j, string file, string[] names)
            where T : unmanaged, INumberBase<T>
        {
            bool nan = false;
            for (int i = 0; i < col.Length; i++)
            {
                if (T.IsNaN(col[i]))
                {
                    nan = true;
                }
                else if (T.IsInfinity(col[i]))
                {
                    throw DataErrors.AtRow(file, i + 1, names[j], "the value is not finite.");
                }
            }

            return nan;
        }
    }
}
