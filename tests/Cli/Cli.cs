using System.Diagnostics;
using System.Globalization;
using System.Text;
using GpuEnet.Host;
using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>What one run of the command line printed and returned.</summary>
public sealed record CliResult(int Code, string Out, string Error)
{
    /// <summary>Asserts the user saw one line on stderr, no stack trace and no raw .NET phrasing, and returns it.</summary>
    public string OneLine()
    {
        string e = Error.Trim();
        Assert.False(e.Length == 0, "expected an error line on stderr");
        Assert.Single(e.Split('\n'));
        Cli.AssertClean(e);
        return e;
    }
}

/// <summary>Runs <c>gpuenet</c> in-process (<see cref="Run"/>) or as a child process (<see cref="Start"/>).</summary>
public static class Cli
{
    private static readonly string[] s_rawDotNet =
    [
        "   at ", "(Parameter '", "Access to the path", "unsupported compression method", "Exception:", "gpuenet-tmp",
        "System.", "Unhandled exception",
    ];

    /// <summary>Runs the command line in this process, capturing stdout and stderr.</summary>
    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var savedError = Console.Error;
        var savedOut = Console.Out;
        Console.SetError(error);
        Console.SetOut(output);
        try
        {
            return new CliResult(Program.Main(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetError(savedError);
            Console.SetOut(savedOut);
        }
    }

    /// <summary>Fails when a message carries a stack trace, raw .NET text, a temporary file's name or a control character.</summary>
    public static void AssertClean(string message)
    {
        foreach (string raw in s_rawDotNet)
        {
            Assert.DoesNotContain(raw, message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(message, c => char.IsControl(c) && c is not '\n' and not '\r');
    }

    /// <summary>Starts the built CLI (<c>gpuenet.dll</c> beside the tests) as a child process.</summary>
    public static Process Start(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gpuenet.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>Sends a POSIX signal with kill(1).</summary>
    public static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Runs a system tool (mkfifo, ln); false when it is not installed.</summary>
    public static bool Tool(string name, params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(name, args) { UseShellExecute = false, RedirectStandardError = true });
            p!.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>A small CSV: n rows of p features x1…xp and y = 2·x1 − x2 + noise, with a fixed seed.</summary>
    public static string WriteCsv(string path, int n = 40, int p = 6, int seed = 1, Func<int, int, string?>? cell = null)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        sb.Append(string.Join(',', Enumerable.Range(1, p).Select(j => "x" + j))).Append(",y\n");
        for (int i = 0; i < n; i++)
        {
            var x = Enumerable.Range(0, p).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            double y = (2 * x[0]) - (p > 1 ? x[1] : 0) + (0.1 * (rng.NextDouble() - 0.5));
            sb.Append(string.Join(',', x.Select((v, j) => cell?.Invoke(i, j) ?? v.ToString("R", CultureInfo.InvariantCulture))));
            sb.Append(',').Append(y.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
