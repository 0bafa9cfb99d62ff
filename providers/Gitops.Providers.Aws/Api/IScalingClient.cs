using System.Text.Json.Nodes;

namespace Gitops.Providers.Aws.Api;

/// <summary>
/// The Application Auto Scaling calls for ECS services, shaped like
/// <c>Amazon.ApplicationAutoScaling.IAmazonApplicationAutoScaling</c>.
/// </summary>
public interface IScalingClient
{
    /// <summary>Registers (or updates: the call is idempotent) the service's desired count as a scalable target.</summary>
    Task RegisterScalableTargetAsync(string resourceId, int min, int max, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a target tracking policy on a predefined metric.</summary>
    Task PutTargetTrackingPolicyAsync(string resourceId, string policyName, string predefinedMetric, double target, CancellationToken cancellationToken);

    /// <summary>Removes the scalable target and its policies; already gone is success.</summary>
    Task DeregisterScalableTargetAsync(string resourceId, CancellationToken cancellationToken);

    /// <summary>The (min, max) of the service's scalable target; null when none.</summary>
    Task<(int Min, int Max)?> DescribeScalableTargetAsync(string resourceId, CancellationToken cancellationToken);
}

/// <summary>Over the JSON 1.1 protocol (<c>AnyScaleFrontendService.&lt;Action&gt;</c>, PascalCase members).</summary>
public sealed class ScalingClient(AwsTransport transport) : IScalingClient
{
    private const string Service = "application-autoscaling";
    private const string Target = "AnyScaleFrontendService";
    private const string Dimension = "ecs:service:DesiredCount";

    public Task RegisterScalableTargetAsync(string resourceId, int min, int max, CancellationToken cancellationToken) =>
        CallAsync("RegisterScalableTarget", new JsonObject
        {
            ["ServiceNamespace"] = "ecs",
            ["ResourceId"] = resourceId,
            ["ScalableDimension"] = Dimension,
            ["MinCapacity"] = min,
            ["MaxCapacity"] = max,
        }, cancellationToken);

    public Task PutTargetTrackingPolicyAsync(string resourceId, string policyName, string predefinedMetric, double target, CancellationToken cancellationToken) =>
        CallAsync("PutScalingPolicy", new JsonObject
        {
            ["PolicyName"] = policyName,
            ["ServiceNamespace"] = "ecs",
            ["ResourceId"] = resourceId,
            ["ScalableDimension"] = Dimension,
            ["PolicyType"] = "TargetTrackingScaling",
            ["TargetTrackingScalingPolicyConfiguration"] = new JsonObject
            {
                ["TargetValue"] = target,
                ["PredefinedMetricSpecification"] = new JsonObject { ["PredefinedMetricType"] = predefinedMetric },
            },
        }, cancellationToken);

    public async Task DeregisterScalableTargetAsync(string resourceId, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("DeregisterScalableTarget", new JsonObject { ["ServiceNamespace"] = "ecs", ["ResourceId"] = resourceId, ["ScalableDimension"] = Dimension }, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (e.Code == "ObjectNotFoundException" || (e.Code == "ValidationException" && e.Message.Contains("No scalable target", StringComparison.Ordinal)))
        {
            // Already gone (moto says so with a ValidationException).
        }
    }

    public async Task<(int Min, int Max)?> DescribeScalableTargetAsync(string resourceId, CancellationToken cancellationToken)
    {
        var answer = await CallAsync("DescribeScalableTargets", new JsonObject { ["ServiceNamespace"] = "ecs", ["ResourceIds"] = new JsonArray(resourceId), ["ScalableDimension"] = Dimension }, cancellationToken).ConfigureAwait(false);
        return (answer["ScalableTargets"] as JsonArray)?.FirstOrDefault() is { } found ? ((int)found["MinCapacity"]!, (int)found["MaxCapacity"]!) : null;
    }

    private Task<JsonObject> CallAsync(string action, JsonObject body, CancellationToken cancellationToken) =>
        transport.JsonAsync(Service, Target, action, body, cancellationToken);
}
