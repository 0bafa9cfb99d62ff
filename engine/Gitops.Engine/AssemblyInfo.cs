namespace Gitops.Engine;
