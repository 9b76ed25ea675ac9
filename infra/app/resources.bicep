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

@description('Upper bound of Flex Consumption instances.')
param maximumInstanceCount int

@description('Memory size of each Flex Consumption instance, in MB.')
param instanceMemoryMB int

@description('Always-ready instances of the durable scale group; 0 for none.')
param durableAlwaysReadyInstances int

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
    publicNetworkAccess: 'Enabled'
    dnsEndpointType: 'Standard'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

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

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
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
    })
    // Let the host start only once the identity can reach storage and Application Insights.
    dependsOn: [
      appStorageRoles
      appMonitoringRole
      storage::blobService::lockContainer
    ]
  }
}

output functionAppName string = functionApp.name
output functionAppUrl string = 'https://${functionApp.properties.defaultHostName}'
output storageAccountName string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output identityClientId string = identity.properties.clientId
output applicationInsightsConnectionString string = appInsights.properties.ConnectionString
