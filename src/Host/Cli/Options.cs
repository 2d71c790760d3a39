using System.Globalization;

namespace GpuEnet.Host.Cli;

/// <summary>
/// Parsed <c>--name value</c> and <c>--flag</c> options of one command. Each command declares which names it knows;
/// an unknown option, a missing value or a value of the wrong type is a <see cref="CliException"/> naming the option.
/// </summary>
public sealed class Options
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="args"/>; <paramref name="flags"/> are options that take no value.</summary>
    /// <exception cref="CliException">On an unknown option or a missing value.</exception>
    public Options(string command, IReadOnlyList<string> args, IReadOnlyCollection<string> known, IReadOnlyCollection<string> flags)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(flags);
        Command = command;
        for (int k = 0; k < args.Count; k++)
        {
            string a = args[k];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                throw new CliException($"Unexpected argument '{a}' for 'gpuenet {command}' (see 'gpuenet {command} --help').", 2);
            }

            string name = a[2..];
            string? inline = null;
            int eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }

            if (_values.ContainsKey(name))
            {
                throw new CliException($"Option '--{name}' is given twice; give it once.", 2);
            }

            if (flags.Contains(name))
            {
                _values[name] = inline ?? "true";
                continue;
            }

            if (!known.Contains(name))
            {
                throw new CliException($"Unknown option '--{name}' for 'gpuenet {command}' (see 'gpuenet {command} --help').", 2);
            }

            if (inline is null)
            {
                if (k + 1 >= args.Count)
                {
                    throw new CliException($"Option '--{name}' needs a value.", 2);
                }

                inline = args[++k];
            }

            _values[name] = inline;
        }
    }

    /// <summary>The command these options belong to.</summary>
    public string Command { get; }

    /// <summary>True when the option was given.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The raw value, or null.</summary>
    public string? Get(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }

    /// <summary>The raw value; a <see cref="CliException"/> when absent.</summary>
    public string Require(string name) =>
        Get(name) ?? throw new CliException($"'gpuenet {Command}' needs --{name} (see 'gpuenet {Command} --help').", 2);

    /// <summary>A flag or true|false option.</summary>
    public bool Bool(string name, bool fallback)
    {
        string? v = Get(name);
        return v switch
        {
            null => fallback,
            "true" or "TRUE" or "True" or "1" or "yes" => true,
            "false" or "FALSE" or "False" or "0" or "no" => false,
            _ => throw new CliException($"Option --{name} must be true or false, got '{v}'.", 2),
        };
    }

    /// <summary>A floating-point option.</summary>
    public double Double(string name, double fallback)
    {
        string? v = Get(name);
        return v is null ? fallback : ParseDouble(name, v);
    }

    /// <summary>An integer option.</summary>
    public int Int(string name, int fallback)
    {
        string? v = Get(name);
        if (v is null)
        {
            return fallback;
        }

        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r)
            ? r
            : throw new CliException($"Option --{name} must be a whole number, got '{v}'.", 2);
    }

    /// <summary>A comma-separated list of numbers, or null when absent.</summary>
    public double[]? DoubleList(string name)
    {
        string? v = Get(name);
        return v?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => ParseDouble(name, s)).ToArray();
    }

    private static double ParseDouble(string name, string v) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r)
            ? r
            : throw new CliException($"Option --{name} must be a number, got '{v}'.", 2);
}
