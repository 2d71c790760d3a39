using Xunit;

namespace GpuEnet.Tests.Cli;

/// <summary>Shell completion: the bash script, and the suggestions it asks gpuenet for, come from the declarations.</summary>
public sealed class CompletionTests
{
    [Fact]
    public void BashScriptAsksGpuenetForSuggestions()
    {
        var r = Cli.Run("completion", "bash");
        Assert.Equal(0, r.Code);
        Assert.Contains("complete -o default -F _gpuenet_complete gpuenet", r.Out, StringComparison.Ordinal);
        Assert.Contains("[suggest:${COMP_POINT}]", r.Out, StringComparison.Ordinal);

        var bad = Cli.Run("completion", "fish");
        Assert.Equal(2, bad.Code);
        Assert.Contains("bash", bad.OneLine(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpuenet fit --l1", "--l1-ratio")]
    [InlineData("gpuenet cv --sel", "--select")]
    [InlineData("gpuenet pre", "predict")]
    [InlineData("gpuenet fit --impute-r", "--impute-rounds")]
    public void CompletingAWordSuggestsTheDeclaredNames(string line, string expected)
    {
        var r = Cli.Run($"[suggest:{line.Length}]", line);
        Assert.Equal(0, r.Code);
        var words = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(expected, words);
        Assert.All(words, w => Assert.StartsWith(line.Split(' ')[^1], w, StringComparison.Ordinal));
    }

    [Fact]
    public void CvOnlyOptionsAreNotSuggestedForFit()
    {
        var r = Cli.Run("[suggest:17]", "gpuenet fit --fol");
        Assert.DoesNotContain("--folds", r.Out, StringComparison.Ordinal);
        Assert.Contains("--folds", Cli.Run("[suggest:16]", "gpuenet cv --fol").Out, StringComparison.Ordinal);
    }
}
