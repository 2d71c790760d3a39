using System.Diagnostics;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace GpuEnet.Tests.Python;

/// <summary>
/// The Python package <c>python/gpuenet</c>: scikit-learn's <c>check_estimator</c> (Debian's python3-sklearn, run by
/// <c>/usr/bin/python3</c>) on <c>GpuEnet</c> and <c>GpuEnetCV</c>, running the CLI built beside these tests.
/// </summary>
public sealed class PythonPackageTests(ITestOutputHelper output)
{
    /// <summary>The repository root: the first folder above the test binaries that holds GpuEnet.sln.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GpuEnet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GpuEnet.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs a script of python/tests with /usr/bin/python3 and the CLI of this build; returns (exit code, stdout, stderr).</summary>
    internal static (int Code, string Out, string Error) RunPython(string script, TimeSpan limit)
    {
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(RepositoryRoot(), "python"),
        };
        info.ArgumentList.Add(Path.Combine("tests", script));
        info.Environment["GPUENET_CLI"] = Path.Combine(AppContext.BaseDirectory, "gpuenet.dll");
        info.Environment["GPUENET_DEVICE"] = "cpu";
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"/usr/bin/python3 did not start ({e.Message}); install Debian's python3-sklearn (.ci/run does).");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(limit))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{script} ran past {limit.TotalSeconds} s");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    [Fact]
    public void BothEstimatorsPassScikitLearnsCheckEstimatorWithNoCheckSkipped()
    {
        var (code, stdout, stderr) = RunPython("check_estimators.py", TimeSpan.FromMinutes(15));
        Assert.True(stdout.TrimStart().StartsWith('{'), $"check_estimators.py printed no summary (exit {code}): {stderr}");
        using var summary = JsonDocument.Parse(stdout);
        var root = summary.RootElement;
        Assert.Equal("1.2.1", root.GetProperty("sklearn").GetString());
        var problems = new List<string>();
        foreach (var estimator in root.GetProperty("estimators").EnumerateObject())
        {
            var counts = estimator.Value.GetProperty("counts");
            output.WriteLine($"{estimator.Name}: {counts}");
            foreach (var check in estimator.Value.GetProperty("checks").EnumerateArray())
            {
                if (check.GetProperty("outcome").GetString() != "passed")
                {
                    problems.Add($"{estimator.Name} {check.GetProperty("check").GetString()} {check.GetProperty("outcome").GetString()}: {check.GetProperty("detail").GetString()}");
                }
            }

            // The list of checks is scikit-learn's for a regressor that allows NaN and takes sample weights.
            Assert.True(counts.GetProperty("passed").GetInt32() >= 40, $"{estimator.Name}: only {counts} checks");
        }

        problems.AddRange(root.GetProperty("behaviour_failures").EnumerateArray().Select(f => f.GetString()!));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(0, code);
        Assert.Equal(2, root.GetProperty("estimators").EnumerateObject().Count());
    }
}
