// Everything in the resource group: identity, storage (host, Durable task hub, singleton locks,
// deployment packages), monitoring, the Flex Consumption plan and the function app, and the role
// assignments that replace storage keys and the Application Insights instrumentation key.

@description('Azure region of the resources.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Short unique suffix for globally unique names (uniqueString output: 13 lowercase characters).')
@minLength(13)
@maxLength(13)
param resourceToken string

@description('Object ID of the deploying principal that gets storage data roles; empty to skip.')
param principalId string

@description('Type of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string

@description('Storage data roles of principalId.')
@allowed([
  'None'
  'Reader'
  'Contributor'
])
param deployerDataAccess string

@description('Node.js version of the Flex Consumption runtime.')
param nodeVersion string

@description('Blob container of the singleton locks.')
@minLength(3)
@maxLength(63)
param singletonLockContainer string

@description('Optional SINGLETON_* app settings by name; null values are left out.')
param singletonSettings object

@description('The nightly sample job\'s timer schedule (NCRONTAB).')
param nightlyImportSchedule string
param hourlyBatchSchedule string

@description('Upper bound of Flex Consumption instances.')
param maximumInstanceCount int

@description('Memory size of each Flex Consumption instance, in MB.')
param instanceMemoryMB int

@description('Always-ready instances of the durable scale group; 0 for none.')
param durableAlwaysReadyInstances int

@description('true: VNet integration for the app, storage only through private endpoints (network.bicep).')
param vnetEnabled bool

@description('Blob and container soft delete retention, in days.')
param blobSoftDeleteDays int

@description('App Service Authentication with Entra ID: the app registration\'s client ID (empty: off), the issuing tenant, and audiences accepted besides the client ID and api://<client ID>.')
param entraAuth {
  clientId: string
  tenantId: string
  extraAudiences: string[]
}

var functionAppName = 'func-api-${resourceToken}'
// Flex Consumption pulls the app's package from this container, with the managed identity.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'

// Built-in role definitions.
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageQueueDataReader = '19e7f393-937e-4f77-808e-94535e297925'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageTableDataReader = '76199698-9eea-4c19-bc75-cec21354c6b6'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
// The app's identity. Blob: Functions host (AzureWebJobsStorage), Durable leases and large
// messages, the singleton lock's blob leases, Flex deployment packages. Queue and table: the
// Durable task hub.
var storageRoles = [
  storageBlobDataOwner
  storageQueueDataContributor
  storageTableDataContributor
]
// The deploying principal: enough to look at locks and Durable state (Reader) or to change them
// (Contributor); never Owner. azd deploys through the management plane, not with these roles.
var deployerRoles = {
  None: []
  Reader: [
    storageBlobDataReader
    storageQueueDataReader
    storageTableDataReader
  ]
  Contributor: [
    storageBlobDataContributor
    storageQueueDataContributor
    storageTableDataContributor
  ]
}
var entraAuthEnabled = !empty(entraAuth.clientId)
// Paths App Service Authentication lets through without a token. The Durable extension's HTTP API
// (the check-status links: status, raise event, terminate, purge…) is authorized by the system key
// in its `code` parameter; its callers hold that link, not an Entra ID token. A trailing `/*` is the
// only wildcard excludedPaths takes (MicrosoftDocs/azure-docs#86514: `/folder/subfolder/*`).
var entraAuthExcludedPaths = [
  '/runtime/webhooks/durabletask/*'
]

// Whole days an Idempotency-Key record must outlive its TTL (default 86400 s), plus one.
var idempotencyRecordDays = (singletonSettings.?SINGLETON_IDEMPOTENCY_TTL_SECONDS ?? 86400) / 86400 + 1

// The SINGLETON_* settings that are set, as strings.
var singletonAppSettings = toObject(
  filter(items(singletonSettings), setting => setting.value != null),
  setting => setting.key,
  setting => string(setting.value)
)

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-api-${resourceToken}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // With the VNet, only the private endpoints in network.bicep reach the data plane; ARM (the
    // management plane: containers, policies, role assignments) is not affected.
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    dnsEndpointType: 'Standard'
    networkAcls: {
      bypass: 'AzureServices'
      // Allow without the VNet: a Flex Consumption app without VNet integration reaches storage
      // over its public endpoints from addresses that are not its own (in the same region they are
      // internal to Azure), so no IP rule could admit it; access rests on Entra ID and RBAC, shared
      // keys being off. With the VNet, Deny backs up the disabled public access.
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
    }
  }

  // Soft delete: a deleted blob, the state a blob had before it was overwritten (Put Blob), and a
  // deleted container stay restorable for blobSoftDeleteDays (`az storage blob undelete`,
  // `az storage container restore`), then storage purges them. How it meets the lock container:
  // - The lifecycle rule below still deletes stale lock blobs and expired Idempotency-Key records
  //   on schedule; soft delete only keeps each for blobSoftDeleteDays more, invisible to the app and
  //   billed by size (lock blobs are empty, records small JSON documents). The rule works on live
  //   blobs only: soft-deleted ones are purged by the retention, not by the rule.
  // - A soft-deleted blob counts as absent: the lock's `If-None-Match: *` create of the same name
  //   succeeds (storage keeps the deleted state as a soft-deleted snapshot), so a released or broken
  //   lock is never resurrected and nothing in the app changes. (Storage's documented behaviour,
  //   not tried against Azure from this repository.)
  // - Every released lock (a delete) and every changed record (an overwrite) leaves such a copy for
  //   the retention period; the lock's touches (Set Blob Metadata) leave none.
  // - Deleting the storage account (azd down) is not covered.
  // Queue and table storage (the Durable task hub) have no soft delete.
  resource blobService 'blobServices' = {
    name: 'default'
    properties: {
      deleteRetentionPolicy: {
        enabled: true
        days: blobSoftDeleteDays
      }
      containerDeleteRetentionPolicy: {
        enabled: true
        days: blobSoftDeleteDays
      }
    }

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    resource lockContainer 'containers' = {
      name: singletonLockContainer
      properties: {
        publicAccess: 'None'
      }
    }
  }

  // Exist with every account; named here as the scopes of their diagnostic settings.
  resource queueService 'queueServices' existing = {
    name: 'default'
  }

  resource tableService 'tableServices' existing = {
    name: 'default'
  }

  // What the lock container keeps that nobody will delete: Idempotency-Key records past
  // SINGLETON_IDEMPOTENCY_TTL_SECONDS (the app takes over an expired record it meets, replacing it,
  // but never deletes one that nobody asks for again), and lock
  // blobs whose holder died or whose start timed out (left to expire; replaced only if the same ID
  // is started again). A held lock is touched every third of its period (60 s at most), so a blob
  // untouched for a day is never a live one. Deleted a day after the TTL, and at least a day old.
  resource lockContainerLifecycle 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            name: 'delete-abandoned-locks-and-expired-records'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  '${singletonLockContainer}/'
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: idempotencyRecordDays
                  }
                }
              }
            }
          }
        ]
      }
    }
  }
}

// The VNet, the storage account's private endpoints and their DNS zones (vnetEnabled only).
module network 'network.bicep' = if (vnetEnabled) {
  name: 'network'
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    storageAccountName: storage.name
  }
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
    features: {
      // Queries and ingestion with Entra ID only: no workspace keys (diagnostic settings and
      // Application Insights do not use them).
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Telemetry only with Entra ID auth (APPLICATIONINSIGHTS_AUTHENTICATION_STRING below).
    DisableLocalAuth: true
  }
}

resource appStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in storageRoles: {
    name: guid(storage.id, identity.id, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource appMonitoringRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource deployerStorageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in deployerRoles[deployerDataAccess]: if (!empty(principalId)) {
    name: guid(storage.id, principalId, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: principalId
      principalType: principalType
    }
  }
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // VNet integration: the app's outbound traffic to storage goes through the VNet and its private
    // endpoints.
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.appSubnetId : null
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        alwaysReady: durableAlwaysReadyInstances > 0
          ? [
              {
                name: 'durable'
                instanceCount: durableAlwaysReadyInstances
              }
            ]
          : []
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }

  // No publishing with user names and passwords: azd and Core Tools deploy with Entra ID tokens.
  resource ftpCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }

  // The whole set of app settings: a provision replaces whatever else was set.
  // Flex Consumption takes the worker runtime and version from functionAppConfig.runtime:
  // FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not allowed here.
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: union(singletonAppSettings, {
      // Identity-based host storage, also used by the Durable Azure Storage backend and the lock.
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      SINGLETON_LOCK_CONTAINER: singletonLockContainer
      // The timer's %NIGHTLY_IMPORT_SCHEDULE%: without it the host cannot index the function.
      NIGHTLY_IMPORT_SCHEDULE: nightlyImportSchedule
      // The sample schedule's %HOURLY_BATCH_SCHEDULE% (src/functions/processBatch.ts): without it the
      // schedule is refused (logged each minute, shown by GET /api/schedules), the app runs on.
      HOURLY_BATCH_SCHEDULE: hourlyBatchSchedule
    })
    // Let the host start only once the identity can reach storage and Application Insights. (With
    // the VNet, the site already waits for the whole network module, private endpoints and DNS
    // records included, through virtualNetworkSubnetId.)
    dependsOn: [
      appStorageRoles
      appMonitoringRole
      storage::blobService::lockContainer
    ]
  }

  // App Service Authentication ("Easy Auth") with Entra ID, in front of every route: a request
  // without a valid bearer token for the app registration gets 401 before the Functions host sees
  // it; one with a token still needs its function key (authLevel: function). Flex Consumption:
  // Microsoft's plan documentation of 2024 (preview) said Easy Auth was not supported there and did
  // not block unauthenticated callers; check for the 401 after deploying (docs/deployment.md).
  // Written only when entraAuthClientId is set, so the default deployment never touches the
  // setting; clearing the parameter later leaves it as it was (turn it off with
  // `az webapp auth update --enabled false`).
  resource authSettings 'config' = if (entraAuthEnabled) {
    name: 'authsettingsV2'
    properties: {
      platform: {
        enabled: true
      }
      globalValidation: {
        requireAuthentication: true
        unauthenticatedClientAction: 'Return401'
        excludedPaths: entraAuthExcludedPaths
      }
      httpSettings: {
        requireHttps: true
      }
      identityProviders: {
        azureActiveDirectory: {
          enabled: true
          registration: {
            clientId: entraAuth.clientId
            openIdIssuer: '${environment().authentication.loginEndpoint}${entraAuth.tenantId}/v2.0'
          }
          validation: {
            allowedAudiences: union(
              [
                entraAuth.clientId
                'api://${entraAuth.clientId}'
              ],
              entraAuth.extraAudiences
            )
          }
        }
      }
      login: {
        // An API: tokens come with each request, nothing to store.
        tokenStore: {
          enabled: false
        }
      }
    }
    // One write to the site's configuration at a time (each restarts the app).
    dependsOn: [
      appSettings
    ]
  }
}

// Resource logs and metrics into the Log Analytics workspace (besides Application Insights, which
// has the app's own telemetry). The function app's FunctionAppLogs are the host's log; whether
// Flex Consumption emits them was not verified from this repository.
resource functionAppDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-${logAnalytics.name}'
  scope: functionApp
  properties: {
    workspaceId: logAnalytics.id
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

// Storage: the account's metrics, and each service's read, write and delete log with its metrics.
// The Durable task hub polls its queues and tables all the time (every 5 s at most per instance
// when idle, host.json), so StorageRead is the bulk of the volume and of the ingestion cost.
var storageLogs = [
  {
    category: 'StorageRead'
    enabled: true
  }
  {
    category: 'StorageWrite'
    enabled: true
  }
  {
    category: 'StorageDelete'
    enabled: true
  }
]
var storageMetrics = [
  {
    category: 'Transaction'
    enabled: true
  }
]

resource storageDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-${logAnalytics.name}'
  scope: storage
  properties: {
    workspaceId: logAnalytics.id
    metrics: storageMetrics
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-${logAnalytics.name}'
  scope: storage::blobService
  properties: {
    workspaceId: logAnalytics.id
    logs: storageLogs
    metrics: storageMetrics
  }
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-${logAnalytics.name}'
  scope: storage::queueService
  properties: {
    workspaceId: logAnalytics.id
    logs: storageLogs
    metrics: storageMetrics
  }
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-${logAnalytics.name}'
  scope: storage::tableService
  properties: {
    workspaceId: logAnalytics.id
    logs: storageLogs
    metrics: storageMetrics
  }
}

output functionAppName string = functionApp.name
output functionAppUrl string = 'https://${functionApp.properties.defaultHostName}'
output storageAccountName string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output identityClientId string = identity.properties.clientId
output applicationInsightsConnectionString string = appInsights.properties.ConnectionString
