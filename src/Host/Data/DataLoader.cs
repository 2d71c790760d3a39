using GpuEnet.Host.Cli;

namespace GpuEnet.Host.Data;

/// <summary>Loads a <see cref="Dataset"/>, choosing the reader by the extension of the data file.</summary>
public static class DataLoader
{
    /// <summary>
    /// Reads <see cref="DataRequest.Path"/>: <c>.csv</c>/<c>.csv.gz</c> (comma), <c>.tsv</c>/<c>.tsv.gz</c> (tab),
    /// <c>.npy</c>, <c>.parquet</c>, or PLINK <c>.bed</c> with its <c>.bim</c> and <c>.fam</c>. Rows whose target or weight is missing
    /// are dropped and counted in <see cref="Dataset.DroppedRows"/>; <see cref="Dataset.SourceRows"/> gives each kept
    /// row's 1-based data row. With no target requested, <see cref="Dataset.Y"/> is empty and no row is dropped.
    /// </summary>
    /// <exception cref="CliException">
    /// On any bad input, with one sentence naming the file (and, for text, the 1-based line counting the header and the
    /// column): a missing file, an unknown extension, text in a numeric column, a ragged row, an unknown target or
    /// weights column, duplicate column names, an empty file, a target file of the wrong length, or a negative or
    /// infinite weight.
    /// </exception>
    public static Dataset Load(DataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string path = request.Path;
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new CliException("--data needs a file name, got an empty string.", 2);
        }

        if (!File.Exists(path))
        {
            throw new CliException(Directory.Exists(path) ? $"Data file '{path}' is a directory." : $"Data file '{path}' does not exist.");
        }

        try
        {
            var target = request.TargetFile is null ? null : TargetVector.Read(request.TargetFile);
            string lower = path.ToLowerInvariant();
            return lower switch
            {
                _ when lower.EndsWith(".csv", StringComparison.Ordinal) => CsvTableReader.Read(request, (byte)',', gzip: false, target),
                _ when lower.EndsWith(".csv.gz", StringComparison.Ordinal) => CsvTableReader.Read(request, (byte)',', gzip: true, target),
                _ when lower.EndsWith(".tsv", StringComparison.Ordinal) => CsvTableReader.Read(request, (byte)'\t', gzip: false, target),
                _ when lower.EndsWith(".tsv.gz", StringComparison.Ordinal) => CsvTableReader.Read(request, (byte)'\t', gzip: true, target),
                _ when lower.EndsWith(".npy", StringComparison.Ordinal) => NpyReader.ReadMatrix(request, target),
                _ when lower.EndsWith(".parquet", StringComparison.Ordinal) => ParquetTableReader.Read(request, target),
                _ when lower.EndsWith(".bed", StringComparison.Ordinal) => request.Ignore is { Count: > 0 }
                    ? throw new CliException("--ignore names CSV or .npy columns; PLINK variants cannot be ignored.", 2)
                    : PlinkReader.Read(request, target),
                _ => throw new CliException(
                    $"Data file '{path}' has an unsupported extension (expected .csv, .csv.gz, .tsv, .tsv.gz, .npy, .parquet or .bed)."),
            };
        }
        catch (IOException ex)
        {
            throw new CliException($"Cannot read '{path}' (or a file beside it): {(ex is FileNotFoundException ? "a file is missing" : "the file system refused the read")}.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CliException($"Cannot read '{path}' (or a file beside it): permission denied.", ex);
        }
    }

    /// <summary>
    /// Every file a load of <paramref name="path"/> may read: the file itself, a PLINK <c>.bed</c>'s <c>.bim</c> and
    /// <c>.fam</c>, a <c>.npy</c>'s sidecars (<c>X.npy.json</c>, names files). Outputs are checked against them.
    /// </summary>
    public static IEnumerable<string> InputFiles(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        yield return path;
        if (path.EndsWith(".bed", StringComparison.OrdinalIgnoreCase))
        {
            yield return Path.ChangeExtension(path, ".bim");
            yield return Path.ChangeExtension(path, ".fam");
        }
        else if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            yield return NpySidecar.PathOf(path);
            yield return path + ".names";
            yield return Path.ChangeExtension(path, ".names");
        }
    }
}
