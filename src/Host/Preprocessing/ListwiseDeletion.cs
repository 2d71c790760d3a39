using GpuEnet.Host.Data;
using GpuEnet.Kernels;

namespace GpuEnet.Host.Preprocessing;

/// <summary>
/// <c>--impute drop-rows</c>: listwise deletion. Every row with a missing feature value is left out before anything is
/// learnt, so the model trains on complete cases only and needs no imputation (predict then refuses a missing cell, as
/// with <c>--impute none</c>). X is not copied: the kept rows are a view of it.
/// </summary>
public static class ListwiseDeletion
{
    /// <summary>The data without its incomplete rows; <paramref name="dropped"/> is how many were left out.</summary>
    /// <exception cref="ArgumentException">No row is complete.</exception>
    public static Dataset Apply(Dataset data, out int dropped)
    {
        ArgumentNullException.ThrowIfNull(data);
        var x = data.X;
        dropped = 0;
        if (!x.HasMissing)
        {
            return data;
        }

        var incomplete = x.IncompleteRows();
        var kept = Enumerable.Range(0, x.Rows).Where(i => !incomplete[i]).ToArray();
        dropped = x.Rows - kept.Length;
        if (kept.Length == 0)
        {
            throw new ArgumentException($"{data.Origin}: --impute drop-rows leaves no row: every one of the {x.Rows} rows has a missing feature value; choose --impute mean|median|mode.");
        }

        return new Dataset
        {
            Features = data.Features,
            X = new RowSubset(x, kept),
            Y = kept.Select(i => data.Y[i]).ToArray(),
            Weights = data.Weights is { } w ? kept.Select(i => w[i]).ToArray() : null,
            Target = data.Target,
            TargetLabels = data.TargetLabels,
            DroppedRows = data.DroppedRows + dropped,
            SourceRows = kept.Select(i => data.SourceRows?[i] ?? (i + 1)).ToArray(),
            Origin = data.Origin,
            SourceColumns = data.SourceColumns,
        };
    }

    /// <summary>The rows <c>rows</c> (increasing) of a source, read through it: no copy of X.</summary>
    private sealed class RowSubset(IColumnSource source, int[] rows) : IColumnSource
    {
        public int Rows => rows.Length;

        public int Columns => source.Columns;

        public Precision Precision => source.Precision;

        public long StorageBytes => source.Rows == 0 ? 0 : source.StorageBytes / source.Rows * rows.Length;

        // Only complete rows are kept.
        public bool HasMissing => false;

        // The full column is decoded into a buffer per thread (the kernels read columns from several threads).
        [ThreadStatic]
        private static double[]? t_full;

        public ReadOnlySpan<double> Column(int j, Span<double> scratch)
        {
            if (t_full is null || t_full.Length < source.Rows)
            {
                t_full = new double[source.Rows];
            }

            var column = source.Column(j, t_full);
            for (int k = 0; k < rows.Length; k++)
            {
                scratch[k] = column[rows[k]];
            }

            return scratch[..rows.Length];
        }

        public ReadOnlySpan<int> MissingRows(int j) => [];
    }
}
