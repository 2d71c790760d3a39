using GpuEnet.Kernels;
using GpuEnet.Solver.Model;

namespace GpuEnet.Solver.Imputation;

/// <summary>
/// Learns a value for every missing cell of X in every problem of a batch (KNN or regression imputation, single or
/// multiple), each from that problem's training rows only: a row of weight 0 never donates, never enters a fit, and a
/// held-out row's cells are imputed from the training rows as new data would be. Problems with the same training
/// weights and the same draw (the l1_ratios of one fold) share one fill set, so the work is per fold, not per problem.
/// </summary>
internal static class CellImputer
{
    /// <summary>
    /// The cell fills of every problem (weights n × B, normalised; <paramref name="columnMean"/> the present training mean
    /// per (j, b), p × B, the fallback of a cell nothing better can fill), and the imputer of the first problem flagged in
    /// <paramref name="modelProblems"/> (what a saved model uses on new rows).
    /// </summary>
    public static (CellFills Cells, CellImputerModel? Model) Learn(IBoundDesign design, double[] weights, int batch, int[] draws,
        double[] columnMean, bool[] modelProblems, EnetSettings settings)
    {
        int n = design.Rows, p = design.Columns;
        var setOf = new int[batch];
        var first = new List<int>();
        for (int b = 0; b < batch; b++)
        {
            int found = -1;
            for (int s = 0; s < first.Count && found < 0; s++)
            {
                int r = first[s];
                if (draws[r] == draws[b] && weights.AsSpan(r * n, n).SequenceEqual(weights.AsSpan(b * n, n)))
                {
                    found = s;
                }
            }

            if (found < 0)
            {
                found = first.Count;
                first.Add(b);
            }

            setOf[b] = found;
        }

        int sets = first.Count;
        var cells = new CellFills(design.Source, setOf, sets);

        // The training mean and sd of every feature per set, in one pass for all sets.
        var w = new double[(long)n * sets];
        var centre = new double[(long)p * sets];
        for (int s = 0; s < sets; s++)
        {
            weights.AsSpan(first[s] * n, n).CopyTo(w.AsSpan(s * n, n));
            columnMean.AsSpan(first[s] * p, p).CopyTo(centre.AsSpan(s * p, p));
        }

        var present = new double[(long)p * sets];
        var sum = new double[(long)p * sets];
        var squares = new double[(long)p * sets];
        design.ColumnMoments(w, sets, centre, present, sum, squares);

        int modelProblem = Array.IndexOf(modelProblems, true);
        int modelSet = modelProblem >= 0 ? setOf[modelProblem] : -1;
        bool noise = settings.Imputations > 1 && settings.ImputationNoise;
        CellImputerModel? model = null;
        for (int s = 0; s < sets; s++)
        {
            var mean = centre.AsSpan(s * p, p).ToArray();
            var sd = new double[p];
            for (int j = 0; j < p; j++)
            {
                long at = ((long)s * p) + j;
                sd[j] = present[at] > 0 ? Math.Sqrt(Math.Max(0, squares[at] / present[at])) : 0;
                cells.ValuesOf(s, j).Fill(mean[j]);
            }

            var draw = new ImputationDraw(settings.ImputeSeed, draws[first[s]], noise);
            var ws = w.AsSpan(s * n, n).ToArray();
            var learnt = settings.Impute == ImputeStrategy.Knn
                ? KnnImputer.Fill(design, cells, s, ws, mean, sd, settings.Neighbours, draw, s == modelSet && settings.StoreDonors)
                : RegressionImputer.Fill(design, cells, s, ws, mean, sd, settings.ImputePredictors, settings.ImputeRounds, draw);
            if (s == modelSet)
            {
                model = learnt;
            }
        }

        return (cells, model);
    }
}

/// <summary>Which draw a fill set takes: the seed, the imputation index, and whether it draws at all (M &gt; 1).</summary>
internal readonly record struct ImputationDraw(int Seed, int Index, bool Noise);
