using System.Security.Cryptography;
using Gitops.Engine.Access;
using Gitops.Engine.State;

namespace Gitops.Cli.Commands;

/// <summary>How the quick start's user enters the dashboard: a one-time link, and a password the first time.</summary>
internal sealed record QuickstartSignIn(string User, string? Password, string Link)
{
    /// <summary>The dashboard's owner on this machine; an existing user of that name is kept as it is.</summary>
    public const string Owner = "owner";

    /// <summary>
    /// Makes the owner user on the first start (its generated password is shown that once) and a
    /// fresh one-time sign-in link on every start, so a second run never needs the old password.
    /// </summary>
    public static QuickstartSignIn Prepare(StateStore state, string listen)
    {
        var people = new People(state);
        string? password = null;
        if (!people.Exists(Owner))
        {
            password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
            people.AddUser(Owner, password);
            people.GrantRole(new Grant(Owner, Role.Owner, Scope.Organization(People.DefaultOrganization)));
            CliAudit.Record(state, "users add", $"{Owner} (owner of org:{People.DefaultOrganization}, made by paas quickstart)");
        }

        var secret = new SignInLinks(state).Create(Owner);
        CliAudit.Record(state, "sign-in link", $"{Owner} (paas quickstart, valid {SignInLinks.Lifetime.TotalMinutes:0} minutes)");
        return new QuickstartSignIn(Owner, password, $"{listen.TrimEnd('/')}/#/signin/{secret}");
    }
}
