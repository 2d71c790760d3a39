namespace GpuEnet.Solver.CrossValidation;

/// <summary>Fold assignments: one fold number (1..K) per row, 0 = row not used.</summary>
public static class Folds
{
    /// <summary>Seeded random folds of near-equal size, as cv.glmnet's <c>sample(rep(seq(K), length = n))</c> in spirit.</summary>
    public static int[] Random(int rows, int folds, int seed)
    {
        if (folds < 2)
        {
            throw new ArgumentException($"Cross-validation needs at least 2 folds, got {folds}.");
        }

        if (folds > rows)
        {
            throw new ArgumentException($"Cannot make {folds} folds from {rows} rows.");
        }

        var id = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            id[i] = (i % folds) + 1;
        }

        new Random(seed).Shuffle(id);
        return id;
    }

    /// <summary>Checks user fold ids and returns the number of folds K.</summary>
    public static int Validate(int[] foldId, int rows)
    {
        ArgumentNullException.ThrowIfNull(foldId);
        if (foldId.Length != rows)
        {
            throw new ArgumentException($"The fold ids have {foldId.Length} entries but the data has {rows} rows.");
        }

        int k = foldId.Max();
        var seen = new bool[k + 1];
        foreach (int f in foldId)
        {
            if (f < 0)
            {
                throw new ArgumentException($"Fold ids must be 0 (unused) or 1..K, got {f}.");
            }

            seen[f] = true;
        }

        for (int f = 1; f <= k; f++)
        {
            if (!seen[f])
            {
                throw new ArgumentException($"Fold {f} has no rows (fold ids must use every number 1..{k}).");
            }
        }

        if (k < 2)
        {
            throw new ArgumentException("Cross-validation needs at least 2 folds in the fold ids.");
        }

        return k;
    }
}
