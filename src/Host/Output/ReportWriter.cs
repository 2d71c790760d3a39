using GpuEnet.Host.Data;
using GpuEnet.Host.Report;
using GpuEnet.Solver.Model;

namespace GpuEnet.Host.Output;

/// <summary>Writes the HTML report of a fitted model with the data facts the model itself does not hold.</summary>
public static class ReportWriter
{
    /// <summary>Writes the report for <paramref name="model"/> trained on <paramref name="data"/>.</summary>
    public static void Write(EnetModel model, Dataset data, string path, IReadOnlyDictionary<int, double>? trueEffects = null) =>
        OutputSet.WriteOne("the report", path, stream => Write(model, data, stream, trueEffects));

    /// <summary>Writes the report for <paramref name="model"/> trained on <paramref name="data"/> to a stream.</summary>
    public static void Write(EnetModel model, Dataset data, Stream stream, IReadOnlyDictionary<int, double>? trueEffects = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        if (data.X.HasMissing)
        {
            for (int j = 0; j < data.X.Columns; j++)
            {
                int count = data.X.MissingCount(j);
                if (count > 0)
                {
                    missing[data.Features[j]] = count;
                }
            }
        }

        HtmlReport.Write(model, stream, new ReportExtras
        {
            MissingCounts = missing,
            InputRows = data.Y.Length + data.DroppedRows,
            DroppedRows = data.DroppedRows,
            DataOrigin = data.Origin,
            TrueEffects = trueEffects,
        });
    }
}
