using System.Text;

namespace GpuEnet.Host.Data;

/// <summary>A target read from its own file: one value per data row, NaN where missing.</summary>
internal sealed class TargetVector
{
    private TargetVector(string file, double[] values, string? name = null)
    {
        File = file;
        Values = values;
        Name = name;
    }

    /// <summary>The name stored with the values (a converted .npy's sidecar), or null for a plain target file.</summary>
    public string? Name { get; }

    /// <summary>The file it came from (for messages).</summary>
    public string File { get; }

    /// <summary>One value per data row; NaN = missing.</summary>
    public double[] Values { get; }

    /// <summary>The dataset's name for its target: the requested name, else the target file's name, else "y".</summary>
    public static string Label(DataRequest request, TargetVector? external) =>
        request.Target ?? external?.Name ?? (external is null ? "y" : Path.GetFileNameWithoutExtension(external.File));

    /// <summary>A target stored with its name in <paramref name="file"/> (a converted .npy's sidecar).</summary>
    public static TargetVector Stored(string file, string name, double[] values) => new(file, values, name);

    /// <summary>Reads a 1-D <c>.npy</c> or a text file with one value per line.</summary>
    /// <exception cref="Cli.CliException">On a missing file, text that is not a number, or an infinite value.</exception>
    public static TargetVector Read(string file)
    {
        if (!System.IO.File.Exists(file))
        {
            throw new Cli.CliException($"Target file '{file}' does not exist.");
        }

        return file.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? new TargetVector(file, NpyReader.ReadVector(file)) : ReadText(file);
    }

    private static TargetVector ReadText(string file)
    {
        string[] lines = System.IO.File.ReadAllLines(file, Encoding.UTF8);
        int count = lines.Length;
        while (count > 0 && string.IsNullOrWhiteSpace(lines[count - 1]))
        {
            count--;
        }

        int first = 0;
        if (count > 0 && NumberText.Parse(lines[0].AsSpan(), out _) == CellKind.Text)
        {
            first = 1; // a header line naming the target
        }

        var values = new double[count - first];
        for (int k = first; k < count; k++)
        {
            values[k - first] = NumberText.Parse(lines[k].AsSpan(), out double v) switch
            {
                CellKind.Number => v,
                CellKind.Missing => double.NaN,
                CellKind.Infinite => throw DataErrors.At(file, k + 1, null, $"the target {DataErrors.Show(lines[k].AsSpan())} is not finite."),
                _ => throw DataErrors.At(file, k + 1, null, $"{DataErrors.Show(lines[k].AsSpan())} is not a number."),
            };
        }

        return new TargetVector(file, values);
    }
}
