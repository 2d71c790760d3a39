using System.Globalization;

namespace GpuEnet.Host.Cli;

/// <summary>
/// Per-feature values from a small text file (penalty factors, bounds): either one number per line in feature
/// order, or lines <c>name value</c> (comma, tab or space separated) where unnamed features keep a default.
/// </summary>
public static class VectorFile
{
    /// <summary>Reads the values for <paramref name="features"/>; <paramref name="fallback"/> for features a named file omits.</summary>
    /// <exception cref="CliException">On a malformed line, an unknown name, or a count mismatch, naming the file and line.</exception>
    public static double[] Read(string path, string[] features, double fallback)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!File.Exists(path))
        {
            throw new CliException($"File '{path}' does not exist.");
        }

        var lines = File.ReadAllLines(path).Select(l => l.Trim()).ToList();
        var values = new List<double>();
        var named = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int k = 0; k < lines.Count; k++)
        {
            string line = lines[k];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split([',', '\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            string number = parts[^1];
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                throw new CliException($"{path}, line {k + 1}: '{number}' is not a number.");
            }

            if (parts.Length == 1)
            {
                values.Add(v);
            }
            else if (!named.TryAdd(parts[0], v))
            {
                throw new CliException($"{path}, line {k + 1}: feature '{parts[0]}' is named a second time.");
            }
        }

        if (named.Count > 0)
        {
            var index = features.Select((f, j) => (f, j)).ToDictionary(t => t.f, t => t.j, StringComparer.Ordinal);
            var result = Enumerable.Repeat(fallback, features.Length).ToArray();
            foreach (var (name, v) in named)
            {
                if (!index.TryGetValue(name, out int j))
                {
                    throw new CliException($"{path} names feature '{name}', which is not in the data.");
                }

                result[j] = v;
            }

            return result;
        }

        if (values.Count == 1)
        {
            return Enumerable.Repeat(values[0], features.Length).ToArray();
        }

        return values.Count == features.Length
            ? [.. values]
            : throw new CliException($"{path} has {values.Count} values but the data has {features.Length} features.");
    }

    /// <summary>Reads one integer per line (fold ids).</summary>
    public static int[] ReadIntegers(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"File '{path}' does not exist.");
        }

        var result = new List<int>();
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!int.TryParse(line, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            {
                throw new CliException($"{path}, line {lineNumber}: '{line}' is not a whole number.");
            }

            result.Add(v);
        }

        return [.. result];
    }
}
