using System.Text.Json.Nodes;
using Gitops.Clouds.Tests.Fake;

namespace Gitops.Clouds.Tests;

/// <summary>The FAKE Microsoft.App/jobs answers as the REST reference says ARM does: what the driver's tests rely on.</summary>
public sealed class FakeContainerAppsJobsTests
{
    private const string Group = "/subscriptions/s/resourceGroups/g";
    private const string Path = Group + FakeContainerAppsJobs.Jobs + "/nightly";

    private static JsonObject Job(string cron = "0 2 * * *") => new()
    {
        ["location"] = "westeurope",
        ["properties"] = new JsonObject
        {
            ["environmentId"] = "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/managedEnvironments/e",
            ["configuration"] = new JsonObject { ["triggerType"] = "Schedule", ["replicaTimeout"] = 60, ["scheduleTriggerConfig"] = new JsonObject { ["cronExpression"] = cron } },
            ["template"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "cron", ["image"] = "x/y:1" }) },
        },
    };

    [Fact]
    public void A_job_is_created_once_replaced_only_with_its_etag_and_its_deletion_is_idempotent()
    {
        var jobs = new FakeContainerAppsJobs(Group, "westeurope");

        var created = jobs.Route("PUT", Path, Job(), "", "*");
        var again = jobs.Route("PUT", Path, Job(), "", "*");
        var stale = jobs.Route("PUT", Path, Job(), "\"not-its-etag\"", "");
        var replaced = jobs.Route("PUT", Path, Job("0 3 * * *"), created.Headers!["ETag"], "");
        var listed = jobs.Route("GET", Group + FakeContainerAppsJobs.Jobs, [], "", "");
        var deleted = jobs.Route("DELETE", Path, [], "", "");
        var gone = jobs.Route("DELETE", Path, [], "", "");

        Assert.Equal((201, 412, 412, 200), (created.Status, again.Status, stale.Status, replaced.Status));
        Assert.Equal("0 3 * * *", (string?)listed.Body!["value"]![0]!["properties"]!["configuration"]!["scheduleTriggerConfig"]!["cronExpression"]);
        Assert.Equal("Succeeded", (string?)listed.Body!["value"]![0]!["properties"]!["provisioningState"]);
        Assert.Equal((202, 204), (deleted.Status, gone.Status));
        Assert.Equal(404, jobs.Route("GET", Path, [], "", "").Status);
    }

    [Theory]
    [InlineData("0 2 * *", "InvalidCronExpression")]
    [InlineData("0 0 2 * * *", "InvalidCronExpression")]
    public void A_schedule_that_is_not_five_fields_is_refused(string cron, string code)
    {
        var answer = new FakeContainerAppsJobs(Group, "westeurope").Route("PUT", Path, Job(cron), "", "*");

        Assert.Equal(400, answer.Status);
        Assert.Contains(code, answer.Body!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_with_a_double_dash_or_longer_than_32_characters_is_refused()
    {
        var jobs = new FakeContainerAppsJobs(Group, "westeurope");

        Assert.Equal(400, jobs.Route("PUT", Group + FakeContainerAppsJobs.Jobs + "/a--b", Job(), "", "*").Status);
        Assert.Equal(400, jobs.Route("PUT", Group + FakeContainerAppsJobs.Jobs + "/" + new string('a', 33), Job(), "", "*").Status);
    }
}
