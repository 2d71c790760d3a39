// The CLI tests redirect Console.Error to read what a user sees; tests running beside them could write into it.
// The whole suite takes well under a minute serially, so it runs serially.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
