// Entry point for `azd provision` / `azd up`: a resource group and everything the singleton
// starter needs in it (see app/resources.bicep). No storage keys: the app reaches storage and
// Application Insights through a user-assigned managed identity.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name the resource group and to derive unique resource names.')
param environmentName string

@minLength(1)
@description('Azure region for all resources. It must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object ID of the user or service principal running the deployment (azd sets AZURE_PRINCIPAL_ID). When set, it gets data access to the storage account to inspect locks and Durable state. Leave empty to skip.')
param principalId string = ''

@description('Type of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

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
    nodeVersion: nodeVersion
    singletonLockContainer: singletonLockContainer
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
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
