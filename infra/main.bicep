// Entry point for `azd provision` / `azd up`: a resource group and everything the singleton
// starter needs in it (see app/resources.bicep). No storage keys: the app reaches storage and
// Application Insights through a user-assigned managed identity.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name the resource group and to derive unique resource names.')
param environmentName string

// Regions that offer the Flex Consumption plan: the list of the azd Flex Consumption quickstarts
// (Azure-Samples/functions-quickstart-typescript-azd, infra/main.bicep at cba3922, 2026-02-24)
// without its early-access canary region eastus2euap. `az functionapp list-flexconsumption-locations`
// prints the current list.
@minLength(1)
@description('Azure region for all resources. It must offer the Flex Consumption plan.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object ID of the user or service principal running the deployment (azd sets AZURE_PRINCIPAL_ID). It gets the storage data roles chosen by deployerDataAccess. Leave empty to skip.')
param principalId string = ''

@description('Type of principalId (azd sets AZURE_PRINCIPAL_TYPE: ServicePrincipal when it is logged in as one, as in a pipeline).')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Storage data access of principalId: Reader (default: read locks and Durable state), Contributor (also change or delete them, e.g. break a stuck lock), or None.')
@allowed([
  'None'
  'Reader'
  'Contributor'
])
param deployerDataAccess string = 'Reader'

@description('Node.js version of the Flex Consumption runtime.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Blob container of the singleton locks (app setting SINGLETON_LOCK_CONTAINER).')
@minLength(3)
@maxLength(63)
param singletonLockContainer string = 'singleton-locks'

@description('Upper bound of Flex Consumption instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory size of each Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances of the `durable` scale group (orchestrators, activities). Microsoft recommends 1 for Durable Functions on Flex Consumption to cut cold starts; each one is billed while idle. 0 = none.')
@minValue(0)
@maxValue(20)
param durableAlwaysReadyInstances int = 0

// Optional app settings of the starter (README, "Configuration"); null = not set, the app's default
// applies. They are parameters because this template writes the whole app-settings set: a setting
// added with the CLI is gone after the next provision. Ranges as the app validates them.
@description('SINGLETON_MAX_INPUT_BYTES: largest accepted request body, in bytes.')
@minValue(0)
@maxValue(16777216)
param singletonMaxInputBytes int?

@description('SINGLETON_LOCK_WAIT_MS: how long a start waits for another start of the same ID.')
@minValue(0)
@maxValue(120000)
param singletonLockWaitMs int?

@description('SINGLETON_LOCK_LEASE_SECONDS: lease length; how long a crashed holder blocks the ID.')
@minValue(15)
@maxValue(60)
param singletonLockLeaseSeconds int?

@description('SINGLETON_BACKEND_TIMEOUT_MS: bound on each durable client call and each lock storage call.')
@minValue(100)
@maxValue(60000)
param singletonBackendTimeoutMs int?

@description('SINGLETON_RESTART_TIMEOUT_MS: how long onConflict=restart waits for the old instance to end.')
@minValue(0)
@maxValue(300000)
param singletonRestartTimeoutMs int?

@description('SINGLETON_IDEMPOTENCY_TTL_SECONDS: how long an Idempotency-Key answer is replayed.')
@minValue(1)
@maxValue(2592000)
param singletonIdempotencyTtlSeconds int?

@description('SINGLETON_LINK_ORIGIN: the origin of the check-status links (e.g. https://jobs.contoso.com behind a custom domain or a proxy); unset: the app\'s own host name.')
param singletonLinkOrigin string?

@description('SINGLETON_REDACT_INSTANCE_IDS: true keeps instance IDs (which may carry personal data) out of logs, problem bodies and traces.')
param singletonRedactInstanceIds bool?

@description('SINGLETON_LINKS: the links in a start\'s 202/200: app (the app\'s operator routes, no system key) or extension (the Durable sample\'s, with the extension\'s system key).')
@allowed(['app', 'extension'])
param singletonLinks string = 'app'

@description('NIGHTLY_IMPORT_SCHEDULE: when the nightly sample job starts (NCRONTAB, six fields, UTC).')
param nightlyImportSchedule string = '0 0 2 * * *'

@description('HOURLY_BATCH_SCHEDULE: when the sample schedule hourly-batch fires (NCRONTAB, six fields, UTC, or a TimeSpan).')
param hourlyBatchSchedule string = '0 0 * * * *'

// Network and security options (docs/deployment.md, "Network and security options"). None of them
// has been deployed from this repository: `npm run infra:check` compiles, lints and evaluates the
// template offline with both vnetEnabled values (bicep snapshot), which shows what Azure would be
// asked to create, not whether Azure accepts it or how the app behaves behind it.

@description('true: a virtual network with the function app integrated into it, and the storage account reachable only through private endpoints (public network access off). false: storage on its public endpoints, as the app reaches it without VNet integration.')
param vnetEnabled bool = false

@description('Days a deleted or overwritten blob (and a deleted container) of the storage account can be restored (blob and container soft delete).')
@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int = 7

@description('Application (client) ID of the Entra ID app registration that callers get tokens for. Set: App Service Authentication requires a valid Entra ID bearer token on every route but the Durable extension\'s webhooks (401 otherwise); function keys still apply. Empty: off.')
param entraAuthClientId string = ''

@description('Entra ID tenant that issues the tokens (its ID); empty: the tenant of the deployment.')
param entraAuthTenantId string = ''

@description('Comma-separated token audiences accepted besides the defaults (the client ID and api://<client ID>).')
param entraAuthAllowedAudiences string = ''

var tags = {
  'azd-env-name': environmentName
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'app/resources.bicep' = {
  name: 'resources'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: toLower(uniqueString(subscription().id, environmentName, location))
    principalId: principalId
    principalType: principalType
    deployerDataAccess: deployerDataAccess
    nodeVersion: nodeVersion
    singletonLockContainer: singletonLockContainer
    singletonSettings: {
      SINGLETON_MAX_INPUT_BYTES: singletonMaxInputBytes
      SINGLETON_LOCK_WAIT_MS: singletonLockWaitMs
      SINGLETON_LOCK_LEASE_SECONDS: singletonLockLeaseSeconds
      SINGLETON_BACKEND_TIMEOUT_MS: singletonBackendTimeoutMs
      SINGLETON_RESTART_TIMEOUT_MS: singletonRestartTimeoutMs
      SINGLETON_IDEMPOTENCY_TTL_SECONDS: singletonIdempotencyTtlSeconds
      SINGLETON_LINK_ORIGIN: singletonLinkOrigin
      SINGLETON_REDACT_INSTANCE_IDS: singletonRedactInstanceIds
      SINGLETON_LINKS: singletonLinks
    }
    nightlyImportSchedule: nightlyImportSchedule
    hourlyBatchSchedule: hourlyBatchSchedule
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    durableAlwaysReadyInstances: durableAlwaysReadyInstances
    vnetEnabled: vnetEnabled
    blobSoftDeleteDays: blobSoftDeleteDays
    entraAuth: {
      clientId: entraAuthClientId
      tenantId: empty(entraAuthTenantId) ? tenant().tenantId : entraAuthTenantId
      extraAudiences: filter(
        map(split(entraAuthAllowedAudiences, ','), audience => trim(audience)),
        audience => !empty(audience)
      )
    }
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output FUNCTION_APP_URL string = resources.outputs.functionAppUrl
output SERVICE_API_NAME string = resources.outputs.functionAppName
output SERVICE_API_URI string = resources.outputs.functionAppUrl
output AZURE_STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output AZURE_STORAGE_BLOB_ENDPOINT string = resources.outputs.blobEndpoint
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = resources.outputs.identityClientId
output SINGLETON_LOCK_CONTAINER string = singletonLockContainer
output APPLICATIONINSIGHTS_CONNECTION_STRING string = resources.outputs.applicationInsightsConnectionString
