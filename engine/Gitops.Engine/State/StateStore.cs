using Gitops.Schema.Model;
using LiteDB;

namespace Gitops.Engine.State;

/// <summary>The state file is held by another process.</summary>
public sealed class StateLockedException(string message) : Exception(message);

/// <summary>The state file is there but cannot be read: a disk fault, a partial copy, another program's file.</summary>
public sealed class StateDamagedException(string message, Exception inner) : IOException(message, inner);

/// <summary>
/// The platform's state in one LiteDB file in the data directory: per environment the recorded
/// state (specs applied, inventory, version), the deployment history and the apply journal.
/// One process holds it at a time: a lock file is opened exclusively for the store's lifetime.
/// </summary>
public sealed class StateStore : IDisposable
{
    public const string DatabaseFile = "state.db";
    private const string LockFile = "state.lock";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, StateStore> Held = new(StringComparer.Ordinal);

    private readonly FileStream _lock;
    private readonly Lock _gate = new(); // applies run nodes in parallel; read-modify-write needs one writer
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _environments;
    private readonly ILiteCollection<BsonDocument> _deployments;
    private readonly ILiteCollection<BsonDocument> _journal;
    private readonly ILiteCollection<BsonDocument> _logs;

    private StateStore(FileStream lockFile, LiteDatabase db)
    {
        (_lock, _db) = (lockFile, db);
        _environments = db.GetCollection("environments");
        _deployments = db.GetCollection("deployments");
        _journal = db.GetCollection("journal");
        _logs = db.GetCollection("logs");
        _deployments.EnsureIndex("key");
        _journal.EnsureIndex("deployment");
        _logs.EnsureIndex("deployment");
    }

    public string DataDirectory => Path.GetDirectoryName(_lock.Name)!;

    /// <summary>Files beside the database that hold keys or state; each must be the owner's only (see <see cref="Targets.DataDirectory"/>).</summary>
    public static readonly IReadOnlyList<string> PrivateFiles = [DatabaseFile, Secrets.MasterKey.FileName, Audit.AuditKey.FileName, Audit.AuditHead.FileName, "login.json"];

    /// <summary>Opens the store; the directory is created 0700 and checked, as are the key and state files in it.</summary>
    public static StateStore Open(string dataDirectory)
    {
        Targets.DataDirectory.Prepare(dataDirectory);
        foreach (var file in PrivateFiles)
        {
            Targets.DataDirectory.RequirePrivate(Path.Combine(dataDirectory, file), "600");
        }

        Targets.DataDirectory.PrepareFile(Path.Combine(dataDirectory, DatabaseFile)); // LiteDB would create it with the umask's mode
        var lockPath = Path.Combine(dataDirectory, LockFile);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(lockPath, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, UnixCreateMode = Targets.DataDirectory.FileMode });
        }
        catch (IOException)
        {
            throw new StateLockedException($"the state in {dataDirectory} is in use by another paas process (a server or an apply); wait for it, or if it is a server, ask it instead: paas login --server URL (or --server, PAAS_SERVER)");
        }

        var path = Path.Combine(dataDirectory, DatabaseFile);
        LiteDatabase db;
        try
        {
            db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
            _ = db.GetCollectionNames().Count(); // a damaged file fails here, not in the middle of a command
        }
        catch (Exception e) when (e is LiteException or ArgumentException or InvalidCastException or IOException or InvalidOperationException or OverflowException or IndexOutOfRangeException)
        {
            lockFile.Dispose();
            throw new StateDamagedException($"the state file {path} cannot be read ({e.Message.TrimEnd('.')}): it is damaged, or not a paas state file. "
                + "Restore the platform's last backup into a new data directory (paas admin restore ID --from DEST --data-dir NEW), or move the file aside to start with an empty state", e);
        }

        var store = new StateStore(lockFile, db);
        Held[Path.GetFullPath(dataDirectory)] = store;
        return store;
    }

    /// <summary>
    /// The store of <paramref name="dataDirectory"/> this process has open, else null. The lock makes
    /// it one per directory and process, so a part that only knows the directory (a target reading its
    /// stored credentials) reads through the same store instead of waiting on its own lock.
    /// </summary>
    public static StateStore? HeldHere(string dataDirectory) => Held.TryGetValue(Path.GetFullPath(dataDirectory), out var store) ? store : null;

    public RecordedState Recorded(string project, string environment)
    {
        var document = _environments.FindById(Key(project, environment));
        return document is null ? RecordedState.Empty : StateJson.Read<RecordedState>(document["state"].AsString);
    }

    /// <summary>Every environment with an applied state, as (project, environment), in order.</summary>
    public IReadOnlyList<(string Project, string Environment)> Environments() => _environments.FindAll()
        .Select(d => d["_id"].AsString.Split('/', 2))
        .Where(k => k.Length == 2)
        .Select(k => (Project: k[0], Environment: k[1]))
        .OrderBy(k => k.Project, StringComparer.Ordinal).ThenBy(k => k.Environment, StringComparer.Ordinal)
        .ToList();

    /// <summary>Saves what an apply reached and moves the version on, which makes older saved plans stale.</summary>
    public RecordedState Record(string project, string environment, RecordedState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var _ = _gate.EnterScope();
        var next = state with { Version = Recorded(project, environment).Version + 1 };
        Save(project, environment, next);
        return next;
    }

    /// <summary>Adds a name to the inventory before the object is created, so a crash cannot orphan it.</summary>
    public void AddToInventory(string project, string environment, string name)
    {
        using var _ = _gate.EnterScope();
        var recorded = Recorded(project, environment);
        if (!recorded.Inventory.Contains(name))
        {
            Save(project, environment, recorded with { Inventory = new ValueList<string>(recorded.Inventory.Append(name).Order(StringComparer.Ordinal)) });
        }
    }

    public void RemoveFromInventory(string project, string environment, string name)
    {
        using var _ = _gate.EnterScope();
        var recorded = Recorded(project, environment);
        if (recorded.Inventory.Contains(name))
        {
            Save(project, environment, recorded with { Inventory = new ValueList<string>(recorded.Inventory.Where(n => n != name)) });
        }
    }

    public void SaveDeployment(Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        _deployments.Upsert(new BsonDocument
        {
            ["_id"] = deployment.Id,
            ["key"] = Key(deployment.Project, deployment.Environment),
            ["started"] = deployment.StartedAt.UtcDateTime,
            ["status"] = deployment.Status.ToString(),
            ["autoscaled"] = deployment.SameVersion, // the field's name predates restarts, which are the same version too
            ["json"] = StateJson.Write(deployment),
        });
    }

    /// <summary>What the environment runs: its newest successful deployment (a scale included), or null.</summary>
    public Deployment? LastSucceeded(string project, string environment) =>
        Newest(project, environment, d => d["status"] == DeploymentStatus.Succeeded.ToString());

    /// <summary>The id of what the environment runs (<see cref="LastSucceeded"/>) without reading the deployment: the cron scheduler asks every second.</summary>
    public string? LastSucceededId(string project, string environment) =>
        _deployments.Query().Where(d => d["key"] == Key(project, environment)).OrderByDescending(d => d["started"]).ToEnumerable()
            .FirstOrDefault(d => d["status"] == DeploymentStatus.Succeeded.ToString()) is { } document ? document["_id"].AsString : null;

    /// <summary>The newest deployment of a version (the autoscaler's changes are the same version at another scale), or null.</summary>
    public Deployment? LastVersion(string project, string environment) =>
        Newest(project, environment, d => !(d.TryGetValue("autoscaled", out var autoscaled) && autoscaled.IsBoolean && autoscaled.AsBoolean));

    /// <summary>Reads the documents' own fields newest first and deserializes only the one that matches: the loop and the autoscaler ask on every pass.</summary>
    private Deployment? Newest(string project, string environment, Func<BsonDocument, bool> match) =>
        _deployments.Query().Where(d => d["key"] == Key(project, environment)).OrderByDescending(d => d["started"]).ToEnumerable()
            .FirstOrDefault(match) is { } document ? StateJson.Read<Deployment>(document["json"].AsString) : null;

    /// <summary>Deployments, newest first; of one project, or one environment, when given.</summary>
    public IReadOnlyList<Deployment> History(string? project = null, string? environment = null, int limit = 50)
    {
        var query = (project, environment) switch
        {
            (null, _) => _deployments.Query(),
            (_, null) => _deployments.Query().Where("$.key LIKE @0", new BsonValue(project + "/%")),
            _ => _deployments.Query().Where(d => d["key"] == Key(project, environment)),
        };
        return query.OrderByDescending(d => d["started"]).Limit(limit).ToList()
            .Select(d => StateJson.Read<Deployment>(d["json"].AsString))
            .ToList();
    }

    /// <summary>An environment's deployments started at or after <paramref name="since"/>, newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<Deployment> Since(string project, string environment, DateTimeOffset since, int limit) =>
        _deployments.Query().Where("$.key = @0 AND $.started >= @1", new BsonValue(Key(project, environment)), new BsonValue(since.UtcDateTime))
            .OrderByDescending(d => d["started"]).Limit(limit).ToList()
            .Select(d => StateJson.Read<Deployment>(d["json"].AsString))
            .ToList();

    public Deployment? Deployment(string id)
    {
        var document = _deployments.FindById(id);
        return document is null ? null : StateJson.Read<Deployment>(document["json"].AsString);
    }

    /// <summary>Appends a line to a deployment's log (build output and steps), readable while it runs.</summary>
    public void AppendLog(string deploymentId, LogLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        _logs.Insert(new BsonDocument
        {
            ["deployment"] = deploymentId,
            ["at"] = line.At.UtcDateTime,
            ["stream"] = line.Stream,
            ["text"] = line.Text,
        });
    }

    /// <summary>A deployment's log lines in the order they were written, from the given position on.</summary>
    public IReadOnlyList<LogLine> LogOf(string deploymentId, int skip = 0) => _logs
        .Find(d => d["deployment"] == deploymentId)
        .OrderBy(d => d["_id"].AsObjectId)
        .Skip(skip)
        .Select(d => new LogLine(new DateTimeOffset(d["at"].AsDateTime.ToUniversalTime()), d["stream"].AsString, d["text"].AsString))
        .ToList();

    /// <summary>The id of the newest deployment log line, or null when there is none.</summary>
    public string? LastLogId() => _logs.Query().OrderByDescending("_id").Limit(1).FirstOrDefault() is { } last ? last["_id"].AsObjectId.ToString() : null;

    /// <summary>Deployment log lines written after the one <paramref name="after"/> names (all when null), oldest first, with their ids (a drain's cursor).</summary>
    public IReadOnlyList<(string Id, string Deployment, LogLine Line)> LogsAfter(string? after, int limit) =>
        (after is null ? _logs.Find(Query.All(), limit: limit) : _logs.Find(Query.GT("_id", new ObjectId(after)), limit: limit))
        .Select(d => (d["_id"].AsObjectId.ToString(), d["deployment"].AsString, new LogLine(new DateTimeOffset(d["at"].AsDateTime.ToUniversalTime()), d["stream"].AsString, d["text"].AsString)))
        .ToList();

    /// <summary>Drops deployment log lines written before <paramref name="cutoff"/> (the deployments stay in the history). Returns how many.</summary>
    public int PruneLogs(DateTimeOffset cutoff) => _logs.DeleteMany(Query.LT("at", cutoff.UtcDateTime));

    /// <summary>How many deployment log lines are kept, their size in characters, and when the oldest was written.</summary>
    public (long Entries, long Characters, DateTimeOffset? Oldest) LogStats()
    {
        var (count, characters) = (0L, 0L);
        DateTime? oldest = null;
        foreach (var line in _logs.FindAll())
        {
            count++;
            characters += line["text"].AsString.Length;
            var at = line["at"].AsDateTime.ToUniversalTime();
            oldest = oldest is null || at < oldest ? at : oldest;
        }

        return (count, characters, oldest is { } first ? new DateTimeOffset(first) : null);
    }

    public void Journal(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _journal.Insert(new BsonDocument
        {
            ["deployment"] = entry.DeploymentId,
            ["sequence"] = entry.Sequence,
            ["action"] = entry.Action,
            ["target"] = entry.Target,
            ["phase"] = entry.Phase.ToString(),
        });
        _db.Checkpoint();
    }

    public IReadOnlyList<JournalEntry> JournalOf(string deploymentId) => _journal
        .Find(d => d["deployment"] == deploymentId)
        .Select(d => new JournalEntry(d["deployment"].AsString, d["sequence"].AsInt32, d["action"].AsString, d["target"].AsString, Enum.Parse<JournalPhase>(d["phase"].AsString)))
        .OrderBy(e => e.Sequence)
        .ToList();

    /// <summary>A collection of the same database, for stores that live beside the state (secrets).</summary>
    internal ILiteCollection<BsonDocument> Collection(string name) => _db.GetCollection(name);

    internal void Flush() => _db.Checkpoint();

    /// <summary>
    /// A copy of the whole database at <paramref name="path"/> (a new file) while this process keeps
    /// using it, as a running server must: every collection is read inside one transaction, so the
    /// copy is a snapshot and never a file caught between two checkpoints.
    /// </summary>
    internal void SnapshotTo(string path)
    {
        Targets.DataDirectory.PrepareFile(path);
        using var copy = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        _db.BeginTrans();
        try
        {
            foreach (var name in _db.GetCollectionNames().ToList())
            {
                copy.GetCollection(name).InsertBulk(_db.GetCollection(name).FindAll());
            }
        }
        finally
        {
            _db.Rollback(); // it only read
        }

        copy.Checkpoint();
    }

    public void Dispose()
    {
        Held.TryRemove(new KeyValuePair<string, StateStore>(Path.GetFullPath(DataDirectory), this));
        _db.Dispose();
        _lock.Dispose();
    }

    private void Save(string project, string environment, RecordedState state)
    {
        _environments.Upsert(new BsonDocument { ["_id"] = Key(project, environment), ["state"] = StateJson.Write(state) });
        _db.Checkpoint();
    }

    private static string Key(string project, string environment) => $"{project}/{environment}";
}
