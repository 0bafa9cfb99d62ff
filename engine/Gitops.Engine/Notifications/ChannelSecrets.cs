using Gitops.Engine.Secrets;

namespace Gitops.Engine.Notifications;

/// <summary>Each channel's secret (<see cref="ChannelConfig.SecretNeeded"/>) in the encrypted store, under an owner no project can be named.</summary>
public sealed class ChannelSecrets(SecretStore store)
{
    public const string Owner = "@notify";

    public int Set(string channel, string value) => store.Set(Owner, null, channel, value);

    public bool Remove(string channel) => store.Remove(Owner, null, channel);

    public bool Has(string channel) => store.List(Owner).Any(s => s.Name == channel);

    /// <summary>The value, or null when none was given.</summary>
    public string? Get(string channel) =>
        store.Resolve(Owner, SecretStore.AllEnvironments, [channel]).Reveal().FirstOrDefault(v => v.Key == channel).Value;
}
